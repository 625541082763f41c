-- Record UDFs used by tests/integration/test_udf.py, run on the embedded
-- server and on a real Aerospike server alike. Line numbers matter: the
-- error tests look for "udf_records.lua:<line>:" in messages.

function add(rec, a, b)
  return a + b
end

function echo(rec, v)
  return v
end

function boom(rec)
  error("kaboom")
end

function runaway(rec)
  local n = 0
  while true do n = n + 1 end
end

function write_bin(rec, name, v)
  rec[name] = v
  if aerospike:exists(rec) then
    aerospike:update(rec)
  else
    aerospike:create(rec)
  end
  return rec[name]
end

function read_bin(rec, name)
  return rec[name]
end

function incr(rec, name, by)
  local v = rec[name] or 0
  rec[name] = v + by
  if aerospike:exists(rec) then aerospike:update(rec) else aerospike:create(rec) end
  return rec[name]
end

function remove_rec(rec)
  if not aerospike:exists(rec) then return "absent" end
  aerospike:remove(rec)
  return "removed"
end

function meta(rec)
  local m = map()
  m["exists"] = aerospike:exists(rec)
  m["gen"] = record.gen(rec)
  m["numbins"] = record.numbins(rec)
  m["setname"] = record.setname(rec)
  m["digest_len"] = bytes.size(record.digest(rec))
  m["key"] = record.key(rec)
  return m
end

function bin_names(rec)
  local names = record.bin_names(rec)
  table.sort(names)
  local l = list()
  for _, n in ipairs(names) do list.append(l, n) end
  return l
end

function containers(rec)
  local l = list{1, "two", 3.5}
  list.append(l, list{4, 5})
  local m = map{a = 1}
  m["l"] = l
  rec["c"] = m
  if aerospike:exists(rec) then aerospike:update(rec) else aerospike:create(rec) end
  return m
end

function set_ttl_and_write(rec, ttl)
  rec["t"] = 1
  record.set_ttl(rec, ttl)
  if aerospike:exists(rec) then aerospike:update(rec) else aerospike:create(rec) end
  return record.ttl(rec)
end

function logs(rec)
  info("info %d", 1)
  debug("debug %s", "x")
  warn("warn")
  trace("trace")
  return 1
end

function bad_arg(rec, l)
  return list.size(l)
end
