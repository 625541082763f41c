// The asyncio bridge: one LoopBridge per event loop, created on first use.
// It owns a client::Mailbox whose eventfd is registered once with
// loop.add_reader; commands carry only an opaque token, which the bridge
// maps to its future in a slot table. The drain callback (one GIL hold)
// takes up to kMaxPerDrain finished commands, converts them and resolves
// their futures, skipping futures that are already done (cancelled: the
// reply is dropped). It converts for about kDrainSliceNs per call and,
// when more are held or queued, continues with loop.call_soon: the tasks
// woken so far run first (they submit their next commands and drop their
// previous results before more are built; see loop_bridge.cc).
// A closed loop drops its bridge (checked when a new loop shows up and when
// debug_counters() is read; a garbage-collected loop drops it through a
// weakref callback); its futures are released. After fork() the child
// abandons every bridge without touching the loops (their epoll instances
// are shared with the parent).
#pragma once

#include <cstdint>
#include <memory>

#include "client/command.h"
#include "python/module_state.h"
#include "python/results.h"
#include "python/stage_stats.h"

namespace aerospike_py::python {

inline constexpr size_t kMaxPerDrain = 1024;
// Time a drain call converts for before yielding to the loop.
inline constexpr int64_t kDrainSliceNs = 100 * 1000;

extern PyType_Spec kLoopBridgeSpec;

// The bridge of the running loop, created on first use. Borrowed (owned by
// the module state), or null with RuntimeError when no loop is running.
PyObject* BridgeForRunningLoop(ModuleState* st);

// Creates a future on the bridge's loop and registers it for `cmd` (sets
// cmd->token and cmd->sink). New reference to the future.
PyObject* BridgeRegister(PyObject* bridge, client::Command* cmd, ResultKind kind, OpKind op,
                         PyObject* ctx);

// Query streams (query_stream_object.cc): a future of the bridge's loop
// resolved with None when a StreamWakeCommand carrying `*token` reaches
// the bridge's mailbox (`*sink`). New reference to the future.
PyObject* BridgeRegisterWake(PyObject* bridge, uint64_t* token,
                             std::shared_ptr<client::CompletionSink>* sink);
// Releases the slot of a wake-up that will never be delivered (the stream
// had news before it could be armed). The future is left pending.
void BridgeForgetWake(PyObject* bridge, uint64_t token);

// A future of the running loop already resolved with `value` (for calls
// that have nothing to wait for, e.g. ping() on a closed client).
PyObject* NewDoneFuture(ModuleState* st, PyObject* value);

// Drops bridges whose loop is gone or closed. Returns how many were dropped.
int SweepClosedLoops(ModuleState* st);

// In the child after fork(): forget every bridge without touching its loop
// or its mailbox (their locks may have been held by the parent's threads).
void AbandonBridgesAfterFork(ModuleState* st);

// Process-wide bridge counters for debug_counters().
struct BridgeCounters {
  int64_t mailboxes = 0;     // live bridges (one eventfd each)
  int64_t futures = 0;       // futures registered and not yet resolved
  int64_t sync_waiting = 0;  // sync calls waiting for their command
};
BridgeCounters& GlobalBridgeCounters();

}  // namespace aerospike_py::python
