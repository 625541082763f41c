// The build phase of an expression, as the real server runs it before
// evaluating anything (exp.c build_*): parses the wire form into a Node
// tree and checks it statically - op codes, argument counts, static
// parameters, and the type of every argument against what its op takes
// (eq of an int and a string, and of two ints with a string bin, are
// refused here, not evaluated). A refused expression makes the whole
// request fail with PARAMETER (4). Used by expression.cc.
#pragma once

#include <string>

#include "common/byte_buffer.h"
#include "server/expression_node.h"

namespace aerospike_py::server::exp {

struct Program {
  Node root;
  uint32_t n_vars = 0;  // variable slots the evaluation needs
};

// Builds `wire` (the msgpack of one expression). `filter`: it must yield a
// boolean (filter expressions); otherwise any typed value (expression
// operations). False with a reason in `*why` (for tests and debugging).
bool Build(ByteSpan wire, bool filter, Program* out, std::string* why);

}  // namespace aerospike_py::server::exp
