-- The small record UDF of benchmark/udf_batch_apply.py: reads two bins,
-- writes one, returns their sum.
function score(rec, w)
  local s = (rec["a"] or 0) * w + (rec["b"] or 0)
  rec["s"] = s
  aerospike:update(rec)
  return s
end
