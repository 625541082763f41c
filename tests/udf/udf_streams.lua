-- Stream UDFs (aggregations) and a record UDF for background queries, used by
-- tests/integration/test_udf_aggregation.py and benchmark/udf_aggregation.py.
-- Records carry an integer bin "i" and a string bin "name".

local function add(a, b) return a + b end

-- map + reduce: the sum of bin `bin`.
function sum(stream, bin)
  return stream : map(function(rec) return rec[bin] end) : reduce(add)
end

-- aggregate + reduce: the same sum, folded per partition on the nodes.
function sum_aggregate(stream, bin)
  return stream : aggregate(0, function(acc, rec) return acc + rec[bin] end) : reduce(math.sum)
end

-- A count per value of bin `bin` (map.merge of the nodes' partial maps).
function count_by(stream, bin)
  local function inc(m, rec)
    local k = rec[bin]
    m[k] = (m[k] or 0) + 1
    return m
  end
  local function merge(a, b) return map.merge(a, b, math.sum) end
  return stream : aggregate(map(), inc) : reduce(merge)
end

-- groupby: the values of "i" per parity.
function by_parity(stream)
  return stream : map(function(rec) return rec['i'] end) : groupby(function(i) return i % 2 end)
end

-- filter + map: every value of "i" above `limit` (no reduce: one value per record).
function above(stream, limit)
  return stream : filter(function(rec) return rec['i'] > limit end)
                : map(function(rec) return rec['i'] end)
end

-- A reduce, then a map that runs on the client only.
function sum_doubled(stream)
  return stream : map(function(rec) return rec['i'] end) : reduce(add)
                : map(function(total) return total * 2 end)
end

-- Errors: on the nodes (in map), and on the client (in the reduce of the
-- nodes' values: the server's reduce only sees one value per partition here).
function fails_on_node(stream)
  return stream : map(function(rec) error('node boom') end)
end

function fails_on_client(stream)
  return stream : aggregate(0, function(acc, rec) return acc + 1 end)
                : reduce(function(a, b) error('client boom') end)
end

-- Record UDF for background queries: adds `by` to bin "i".
function bump(rec, by)
  rec['i'] = rec['i'] + by
  aerospike:update(rec)
end

-- map without a reduce: bin `bin` of every record is a result (the bounded
-- queues test streams large values through it to a slow consumer).
function values_of(stream, bin)
  return stream : map(function(rec) return rec[bin] end)
end
