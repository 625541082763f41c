// Argument parsing for METH_FASTCALL | METH_KEYWORDS methods without the
// private _PyArg_Parser machinery: positional arguments first, then keyword
// arguments matched by name. Results are borrowed references; a missing
// optional argument and an explicit None both come back as null, which is
// what every optional parameter of the aerospike-py API means by None.
// Required arguments keep an explicit None so that their own validation
// reports it (InvalidArgError for a None key, not a TypeError).
#pragma once

#include "python/py_ref.h"

namespace aerospike_py::python {

struct ArgSpec {
  const char* fname;         // for messages: "get"
  const char* const* names;  // parameter names
  int n_names;
  int n_required;            // the first n_required must be given
};

// Fills out[0..n_names). Returns false with TypeError set on a bad call.
bool ParseArgs(const ArgSpec& spec, PyObject* const* args, Py_ssize_t nargsf,
               PyObject* kwnames, PyObject** out);

}  // namespace aerospike_py::python
