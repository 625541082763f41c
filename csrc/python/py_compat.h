// CPython version shims for the bridge: the wheels are built for CPython 3.9
// to 3.13 from one source, and the bridge is written against the newest API.
// Each shim supplies, for the older interpreters only, a function or flag
// that later versions have, with the later version's semantics. Included by
// py_ref.h, so every file of csrc/python/ sees it; nothing else may use it.
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#if PY_VERSION_HEX < 0x030A0000
// 3.10 added these reference helpers.
static inline PyObject* Py_NewRef(PyObject* o) {
  Py_INCREF(o);
  return o;
}
static inline PyObject* Py_XNewRef(PyObject* o) {
  Py_XINCREF(o);
  return o;
}
static inline int PyModule_AddObjectRef(PyObject* module, const char* name, PyObject* value) {
  if (value == nullptr) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_SystemError, "PyModule_AddObjectRef: null value");
    return -1;
  }
  Py_INCREF(value);
  if (PyModule_AddObject(module, name, value) < 0) {  // steals only on success
    Py_DECREF(value);
    return -1;
  }
  return 0;
}
// 3.10's flag; on 3.9 the types that carry it also set tp_new to null
// (see the type specs), which refuses instantiation the same way.
#define Py_TPFLAGS_DISALLOW_INSTANTIATION 0
#define ASPY_NEED_EXPLICIT_NO_NEW 1
// 3.10 added the am_send slot and its result type. On 3.9 an awaitable is
// driven through tp_iternext and send() alone, so the bridge keeps its send
// function (iternext calls it) and leaves the slot out (ASPY_HAVE_AM_SEND).
typedef enum { PYGEN_RETURN = 0, PYGEN_ERROR = -1, PYGEN_NEXT = 1 } PySendResult;
#define ASPY_HAVE_AM_SEND 0
#else
#define ASPY_HAVE_AM_SEND 1
#endif

#if PY_VERSION_HEX < 0x030D0000
// 3.13 added PyWeakref_GetRef and deprecated PyWeakref_GetObject (a borrowed
// reference that another thread could free under us); 3.15 removes the old
// one. Returns 1 and a new reference, 0 and null when the referent is gone,
// -1 with an exception when `ref` is not a weak reference.
static inline int PyWeakref_GetRef(PyObject* ref, PyObject** pobj) {
  PyObject* obj = PyWeakref_GetObject(ref);
  if (obj == nullptr) {
    *pobj = nullptr;
    return -1;
  }
  if (obj == Py_None) {
    *pobj = nullptr;
    return 0;
  }
  Py_INCREF(obj);
  *pobj = obj;
  return 1;
}
#endif
