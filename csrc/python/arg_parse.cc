#include "python/arg_parse.h"

#include <cstring>

namespace aerospike_py::python {

bool ParseArgs(const ArgSpec& spec, PyObject* const* args, Py_ssize_t nargsf,
               PyObject* kwnames, PyObject** out) {
  const Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
  if (nargs > spec.n_names) {
    PyErr_Format(PyExc_TypeError, "%s() takes at most %d arguments (%zd given)", spec.fname,
                 spec.n_names, nargs);
    return false;
  }
  for (int i = 0; i < spec.n_names; ++i) out[i] = nullptr;
  for (Py_ssize_t i = 0; i < nargs; ++i) out[i] = args[i];
  if (kwnames != nullptr) {
    const Py_ssize_t nkw = PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t k = 0; k < nkw; ++k) {
      PyObject* name = PyTuple_GET_ITEM(kwnames, k);
      Py_ssize_t len = 0;
      const char* text = PyUnicode_AsUTF8AndSize(name, &len);
      if (text == nullptr) return false;
      int found = -1;
      for (int i = 0; i < spec.n_names; ++i) {
        if (std::strlen(spec.names[i]) == static_cast<size_t>(len) &&
            std::memcmp(spec.names[i], text, static_cast<size_t>(len)) == 0) {
          found = i;
          break;
        }
      }
      if (found < 0) {
        PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%U'",
                     spec.fname, name);
        return false;
      }
      if (found < nargs) {
        PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'",
                     spec.fname, spec.names[found]);
        return false;
      }
      out[found] = args[nargs + k];
    }
  }
  for (int i = spec.n_required; i < spec.n_names; ++i) {
    if (out[i] == Py_None) out[i] = nullptr;
  }
  for (int i = 0; i < spec.n_required; ++i) {
    if (out[i] == nullptr) {
      PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s'", spec.fname,
                   spec.names[i]);
      return false;
    }
  }
  return true;
}

}  // namespace aerospike_py::python
