// Ref: the one owning PyObject* type of the bridge. A Ref holds a strong
// reference and drops it when it goes out of scope, so early returns on
// error paths cannot leak. Deliberately tiny: no implicit conversions that
// could hide a reference transfer; Steal/New say which kind of pointer they
// take, release() says the caller now owns it.
#pragma once

#include "python/py_compat.h"

#include <utility>

namespace aerospike_py::python {

class Ref {
 public:
  Ref() = default;
  // Takes over a new reference (may be null: a failed C-API call).
  static Ref Steal(PyObject* o) { return Ref(o); }
  // Adds a reference to a borrowed pointer (may be null).
  static Ref New(PyObject* o) {
    Py_XINCREF(o);
    return Ref(o);
  }
  ~Ref() { Py_XDECREF(p_); }
  Ref(Ref&& other) noexcept : p_(std::exchange(other.p_, nullptr)) {}
  Ref& operator=(Ref&& other) noexcept {
    if (this != &other) {
      PyObject* old = p_;
      p_ = std::exchange(other.p_, nullptr);
      Py_XDECREF(old);
    }
    return *this;
  }
  Ref(const Ref&) = delete;
  Ref& operator=(const Ref&) = delete;

  PyObject* get() const { return p_; }
  explicit operator bool() const { return p_ != nullptr; }
  // Hands the reference to the caller.
  PyObject* release() { return std::exchange(p_, nullptr); }
  void reset(PyObject* stolen = nullptr) {
    PyObject* old = p_;
    p_ = stolen;
    Py_XDECREF(old);
  }

 private:
  explicit Ref(PyObject* o) : p_(o) {}
  PyObject* p_ = nullptr;
};

}  // namespace aerospike_py::python
