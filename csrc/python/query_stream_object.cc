#include "python/query_stream_object.h"

#include <cstring>
#include <string>
#include <vector>

#include "client/query_command.h"
#include "common/byte_order.h"
#include "proto/digest.h"
#include "proto/message_view.h"
#include "proto/ttl.h"
#include "python/arg_parse.h"
#include "python/arrow_batch.h"
#include "python/arrow_fill.h"
#include "python/errors.h"
#include "python/loop_bridge.h"
#include "python/meta_cache.h"
#include "python/results.h"
#include "python/value_decode.h"

namespace aerospike_py::python {
namespace {

// Signals are checked between waits of this length (sync consumers).
constexpr uint32_t kWaitSliceMs = 50;

// Where the consumer stands in one partition (records it actually took).
struct ConsumedPosition {
  bool any = false;
  bool has_bval = false;
  proto::Digest digest{};
  int64_t bval = 0;
};

struct StreamState {
  std::shared_ptr<client::QueryStream> stream;
  std::shared_ptr<client::Client> core;
  client::QueryChunk chunk;  // being converted
  size_t next = 0;           // next record of `chunk`
  // How the query ended, copied out of the finished command (which is then
  // freed: a stream kept around must not keep a command alive).
  bool have_end = false;
  Status end_status;
  ResultCode end_result = ResultCode::kOk;
  std::string end_node;
  uint64_t task_id = 0;
  std::vector<client::PartitionStatus> end_partitions;
  // The partitions as the query started, and the consumer's progress in
  // each: together with the stream's unconsumed set they make the cursor
  // of a stream the consumer stopped early.
  std::vector<client::PartitionStatus> initial;
  std::vector<ConsumedPosition> consumed;  // per pid
  // Partitions with records left in `chunk` when the consumer closed.
  std::vector<bool> unconsumed;
  bool has_where = false;
  std::string last_set;  // bytes of `last_set_obj`
  uint32_t now = 0;       // server-epoch seconds when the current chunk was taken
  uint64_t delivered = 0;
  bool ended = false;     // the consumer saw the end
  bool reported = false;  // the end's error was raised once
  bool closed = false;    // the consumer closed (cancelled) the stream
};

struct QueryStreamObject {
  PyObject_HEAD
  ModuleState* st;
  PyObject* ns;            // str
  PyObject* last_set_obj;  // str or None
  PyObject* next;          // the cached _QueryNext awaitable
  PyObject* waiting;       // the future yielded last (async), or null
  StreamState* s;
};

struct QueryNextObject {
  PyObject_HEAD
  PyObject* stream;  // QueryStreamObject
  bool closing;      // aclose(): skip records until the end
};

QueryStreamObject* AsStream(PyObject* o) { return reinterpret_cast<QueryStreamObject*>(o); }

void Submit(StreamState* s, client::QueryControlCommand::Action action) {
  if (!s->core) return;
  s->core->Submit(std::make_unique<client::QueryControlCommand>(s->stream, action));
}

// Takes the finished command's outcome and frees it.
void TakeEnd(StreamState* s) {
  std::unique_ptr<client::QueryCommand> c = s->stream->TakeCommand();
  if (c == nullptr) return;
  s->have_end = true;
  s->end_status = c->status;
  s->end_result = c->result;
  s->end_node = c->node;
  s->task_id = c->task_id;
  s->end_partitions = std::move(c->partitions);
}

// Marks the partitions of the records left in the chunk being converted:
// the consumer never took them.
void MarkRestOfChunk(StreamState* s) {
  for (size_t i = s->next; i < s->chunk.records.size(); ++i) {
    const proto::MessageView m = s->chunk.Record(i);
    std::optional<ByteSpan> d = m.FindField(proto::FieldType::kDigest);
    if (!d || d->size() != proto::kDigestSize) continue;
    if (s->unconsumed.empty()) s->unconsumed.assign(proto::kPartitions, false);
    s->unconsumed[proto::PartitionId(d->data())] = true;
  }
  s->next = s->chunk.records.size();
}

// Cancels a running query and stops queueing its chunks (idempotent).
void Cancel(StreamState* s) {
  if (s->closed) return;
  s->closed = true;
  MarkRestOfChunk(s);  // records left in the chunk being converted were never taken
  s->stream->Abandon();
  if (!s->stream->ended()) Submit(s, client::QueryControlCommand::Action::kCancel);
}

PyObject* NewStr(std::string_view v) {
  return PyUnicode_DecodeUTF8(v.data(), static_cast<Py_ssize_t>(v.size()), "replace");
}

// RecordMetadata(gen, ttl) as results.h NewMeta() makes it (shared while
// it repeats: python/meta_cache.h), with the clock read once per chunk
// instead of once per record.
PyObject* MetaFor(QueryStreamObject* self, const proto::MessageView& m) {
  return self->st->meta_cache->Get(
      self->st, m.header.generation, proto::TtlFromVoidTime(m.header.record_ttl, self->s->now));
}

// Record(key=AerospikeKey(ns, set, user_key, digest), meta, bins) from
// record `i` of the current chunk (validated by the event thread).
PyObject* ConvertRecord(QueryStreamObject* self, size_t i) {
  StreamState* s = self->s;
  ModuleState* st = self->st;
  const proto::MessageView m = s->chunk.Record(i);
  std::string_view set;
  ByteSpan user_key, digest, bval;
  bool has_key = false, has_bval = false;
  proto::FieldIterator fields(m);
  proto::FieldView f;
  while (fields.Next(&f)) {
    switch (static_cast<proto::FieldType>(f.type)) {
      case proto::FieldType::kSet: set = AsChars(f.data); break;
      case proto::FieldType::kKey: user_key = f.data; has_key = !f.data.empty(); break;
      case proto::FieldType::kDigest: digest = f.data; break;
      case proto::FieldType::kBvalArray: bval = f.data; has_bval = f.data.size() == 8; break;
      default: break;
    }
  }
  if (digest.empty() && s->chunk.Record(i).header.n_ops == 1 && set.empty()) {
    // A value of an aggregation (client/query_command.h): Record(None, meta,
    // {"SUCCESS" | "FAILURE": value}); aerospike_py.query reduces these.
    PyObject* items[3];
    items[0] = Py_NewRef(Py_None);
    items[1] = MetaFor(self, m);
    items[2] = items[1] ? NewBinsDict(st, m) : nullptr;
    if (items[2] == nullptr) {
      Py_DECREF(items[0]);
      Py_XDECREF(items[1]);
      return nullptr;
    }
    ++s->delivered;
    return NewNamedTuple(st->record_type, items, 3);
  }
  if (digest.size() != proto::kDigestSize) return RaiseClientError(st, "query record without digest");
  // The consumer's position in this record's partition.
  ConsumedPosition& pos = s->consumed[proto::PartitionId(digest.data())];
  pos.any = true;
  std::memcpy(pos.digest.data(), digest.data(), proto::kDigestSize);
  if (has_bval) {
    pos.has_bval = true;
    pos.bval = static_cast<int64_t>(LoadLE64(bval.data()));
  }
  // The set name object: records of a scan mostly share one.
  if (self->last_set_obj == nullptr || set != s->last_set) {
    PyObject* obj = NewStr(set);
    if (obj == nullptr) return nullptr;
    Py_XSETREF(self->last_set_obj, obj);
    s->last_set.assign(set);
  }
  PyObject* key_items[4];
  key_items[0] = Py_NewRef(self->ns);
  key_items[1] = Py_NewRef(self->last_set_obj);
  key_items[2] = has_key ? DecodeParticle(st, user_key[0], user_key.subspan(1)) : Py_NewRef(Py_None);
  key_items[3] = PyBytes_FromStringAndSize(reinterpret_cast<const char*>(digest.data()),
                                           proto::kDigestSize);
  if (key_items[2] == nullptr || key_items[3] == nullptr) {
    for (PyObject* o : key_items) Py_XDECREF(o);
    return nullptr;
  }
  PyObject* items[3];
  items[0] = NewNamedTuple(st->key_type, key_items, 4);
  items[1] = items[0] ? MetaFor(self, m) : nullptr;
  items[2] = items[1] ? NewBinsDict(st, m) : nullptr;
  if (items[2] == nullptr) {
    Py_XDECREF(items[0]);
    Py_XDECREF(items[1]);
    return nullptr;
  }
  ++s->delivered;
  return NewNamedTuple(st->record_type, items, 3);
}

enum class Step : uint8_t { kRecord, kWait, kEnd, kError };

// The next record into `*out`, or why there is none now.
Step Advance(QueryStreamObject* self, PyObject** out) {
  StreamState* s = self->s;
  for (;;) {
    if (s->next < s->chunk.records.size()) {
      *out = ConvertRecord(self, s->next++);
      return *out != nullptr ? Step::kRecord : Step::kError;
    }
    if (s->ended) return Step::kEnd;
    if (!s->chunk.records.empty()) {
      s->chunk = client::QueryChunk();  // its memory goes back now
      s->next = 0;
    }
    bool resume = false;
    switch (s->stream->Take(&s->chunk, &resume)) {
      case client::QueryStream::Next::kChunk:
        if (resume && !s->closed) Submit(s, client::QueryControlCommand::Action::kResume);
        s->now = static_cast<uint32_t>(proto::NowServerEpochSeconds());  // TTLs of this chunk
        continue;
      case client::QueryStream::Next::kWait:
        return Step::kWait;
      case client::QueryStream::Next::kEnd:
        s->ended = true;
        TakeEnd(s);
        return Step::kEnd;
    }
  }
}

// At the end: raises the query's error (once) and returns true, or returns
// false for a clean end (also after a close by the consumer).
bool RaiseEndError(QueryStreamObject* self) {
  StreamState* s = self->s;
  if (s->reported || !s->have_end) return false;
  s->reported = true;
  if (s->closed && s->end_status.code() == absl::StatusCode::kCancelled) return false;
  if (s->end_status.ok() && s->end_result == ResultCode::kOk) return false;
  client::QueryCommand c;  // the error mapping reads a command
  c.status = s->end_status;
  c.result = s->end_result;
  c.node = s->end_node;
  PyObject* exc = NewCommandError(self->st, c, nullptr);
  if (exc != nullptr) RaiseOwned(exc);
  return true;
}

// Blocks (GIL released) until the stream has news. False with an
// exception set when a signal handler raised.
bool WaitSync(StreamState* s) {
  BridgeCounters& counters = GlobalBridgeCounters();
  counters.sync_waiting += 1;
  for (;;) {
    bool ready;
    Py_BEGIN_ALLOW_THREADS
    ready = s->stream->WaitFor(kWaitSliceMs);
    Py_END_ALLOW_THREADS
    if (ready) break;
    if (PyErr_CheckSignals() < 0) {
      counters.sync_waiting -= 1;
      return false;
    }
  }
  counters.sync_waiting -= 1;
  return true;
}

// --- QueryStream type --------------------------------------------------------

PyObject* QueryStream_iternext(PyObject* obj) {
  QueryStreamObject* self = AsStream(obj);
  for (;;) {
    PyObject* rec = nullptr;
    switch (Advance(self, &rec)) {
      case Step::kRecord:
        return rec;
      case Step::kError:
        return nullptr;
      case Step::kEnd:
        RaiseEndError(self);
        return nullptr;  // StopIteration unless an error is set
      case Step::kWait:
        if (!WaitSync(self->s)) return nullptr;
        break;
    }
  }
}

// The awaitable of one __anext__: the cached one when nobody else holds it.
// It references the stream only while in use, so a stream dropped between
// two records is freed (and its query cancelled) at once, without a cycle.
PyObject* QueryStream_anext(PyObject* obj) {
  QueryStreamObject* self = AsStream(obj);
  QueryNextObject* n = reinterpret_cast<QueryNextObject*>(self->next);
  if (n == nullptr || Py_REFCNT(self->next) != 1 || n->stream != nullptr) {
    PyTypeObject* type = reinterpret_cast<PyTypeObject*>(self->st->query_next_type);
    n = PyObject_GC_New(QueryNextObject, type);
    if (n == nullptr) return nullptr;
    n->stream = nullptr;
    n->closing = false;
    PyObject_GC_Track(reinterpret_cast<PyObject*>(n));
    Py_XSETREF(self->next, reinterpret_cast<PyObject*>(n));
  }
  n->stream = Py_NewRef(obj);
  return Py_NewRef(reinterpret_cast<PyObject*>(n));
}

// Python-visible wait to the end (sync): used by close() and partitions().
bool DrainToEnd(QueryStreamObject* self) {
  StreamState* s = self->s;
  while (!s->ended) {
    s->chunk = client::QueryChunk();
    s->next = 0;
    bool resume = false;
    switch (s->stream->Take(&s->chunk, &resume)) {
      case client::QueryStream::Next::kChunk:
        s->chunk = client::QueryChunk();
        break;
      case client::QueryStream::Next::kWait:
        if (!WaitSync(s)) return false;
        break;
      case client::QueryStream::Next::kEnd:
        s->ended = true;
        TakeEnd(s);
        break;
    }
  }
  return true;
}

// close(): cancels the query if it still runs and waits (GIL released)
// until it ended, so its connections are closed when this returns.
PyObject* QueryStream_close(PyObject* obj, PyObject*) {
  QueryStreamObject* self = AsStream(obj);
  Cancel(self->s);
  if (!DrainToEnd(self)) return nullptr;
  Py_RETURN_NONE;
}

PyObject* QueryStream_aclose(PyObject* obj, PyObject*) {
  QueryStreamObject* self = AsStream(obj);
  Cancel(self->s);
  PyTypeObject* type = reinterpret_cast<PyTypeObject*>(self->st->query_next_type);
  QueryNextObject* n = PyObject_GC_New(QueryNextObject, type);
  if (n == nullptr) return nullptr;
  n->stream = Py_NewRef(obj);
  n->closing = true;
  PyObject_GC_Track(reinterpret_cast<PyObject*>(n));
  return reinterpret_cast<PyObject*>(n);
}

PyObject* NewDigest(const proto::Digest& d) {
  return PyBytes_FromStringAndSize(reinterpret_cast<const char*>(d.data()), proto::kDigestSize);
}

PyObject* StatusTuple(const client::PartitionStatus& p) {
  PyObject* digest = p.started ? NewDigest(p.digest) : Py_NewRef(Py_None);
  if (digest == nullptr) return nullptr;
  PyObject* bval = p.has_bval ? PyLong_FromLongLong(p.bval) : Py_NewRef(Py_None);
  if (bval == nullptr) {
    Py_DECREF(digest);
    return nullptr;
  }
  return Py_BuildValue("(iOONN)", static_cast<int>(p.pid), p.started ? Py_True : Py_False,
                       p.done ? Py_True : Py_False, digest, bval);
}

// partitions(): the cursor once the stream ended, as a list of
// (pid, started, done, digest | None, bval | None), in the query's order.
// A stream still running is closed first. Partitions with records the
// consumer never took resume after the last record it did take.
PyObject* QueryStream_partitions(PyObject* obj, PyObject*) {
  QueryStreamObject* self = AsStream(obj);
  StreamState* s = self->s;
  if (!s->ended) {
    Cancel(s);
    if (!DrainToEnd(self)) return nullptr;
  }
  if (!s->have_end) Py_RETURN_NONE;
  MarkRestOfChunk(s);
  std::vector<bool> unconsumed = s->stream->UnconsumedPartitions();
  if (!s->unconsumed.empty()) {
    if (unconsumed.empty()) unconsumed.assign(proto::kPartitions, false);
    for (size_t pid = 0; pid < s->unconsumed.size(); ++pid) {
      if (s->unconsumed[pid]) unconsumed[pid] = true;
    }
  }
  const std::vector<client::PartitionStatus>& now = s->end_partitions;
  Ref list = Ref::Steal(PyList_New(static_cast<Py_ssize_t>(now.size())));
  if (!list) return nullptr;
  for (size_t i = 0; i < now.size(); ++i) {
    client::PartitionStatus p = now[i];
    if (!unconsumed.empty() && unconsumed[p.pid]) {
      const ConsumedPosition& c = s->consumed[p.pid];
      if (c.any) {
        p.started = true;
        p.digest = c.digest;
        p.has_bval = c.has_bval;
        p.bval = c.bval;
      } else if (i < s->initial.size() && s->initial[i].pid == p.pid) {
        p = s->initial[i];
      } else {
        p = client::PartitionStatus();
        p.pid = now[i].pid;
      }
      p.done = false;
    }
    PyObject* t = StatusTuple(p);
    if (t == nullptr) return nullptr;
    PyList_SET_ITEM(list.get(), static_cast<Py_ssize_t>(i), t);
  }
  return list.release();
}

PyObject* QueryStream_get_records(PyObject* obj, void*) {
  return PyLong_FromUnsignedLongLong(AsStream(obj)->s->delivered);
}

PyObject* QueryStream_get_ended(PyObject* obj, void*) {
  return Py_NewRef(AsStream(obj)->s->ended ? Py_True : Py_False);
}

PyObject* QueryStream_get_task_id(PyObject* obj, void*) {
  return PyLong_FromUnsignedLongLong(AsStream(obj)->s->task_id);
}

PyObject* QueryStream_get_pauses(PyObject* obj, void*) {
  return PyLong_FromUnsignedLongLong(AsStream(obj)->s->stream->pauses());
}

PyObject* QueryStream_get_buffered_bytes(PyObject* obj, void*) {
  return PyLong_FromSize_t(AsStream(obj)->s->stream->buffered_bytes());
}

int QueryStream_traverse(PyObject* obj, visitproc visit, void* arg) {
  QueryStreamObject* self = AsStream(obj);
  Py_VISIT(Py_TYPE(obj));
  Py_VISIT(self->ns);
  Py_VISIT(self->last_set_obj);
  Py_VISIT(self->next);
  Py_VISIT(self->waiting);
  return 0;
}

int QueryStream_clear(PyObject* obj) {
  QueryStreamObject* self = AsStream(obj);
  Py_CLEAR(self->ns);
  Py_CLEAR(self->last_set_obj);
  Py_CLEAR(self->next);
  Py_CLEAR(self->waiting);
  return 0;
}

void QueryStream_dealloc(PyObject* obj) {
  PyTypeObject* tp = Py_TYPE(obj);
  PyObject_GC_UnTrack(obj);
  QueryStreamObject* self = AsStream(obj);
  if (self->s != nullptr) {
    if (!self->s->ended) Cancel(self->s);  // dropping a running stream cancels it
    delete self->s;
    self->s = nullptr;
  }
  QueryStream_clear(obj);
  tp->tp_free(obj);
  Py_DECREF(tp);
}

// --- Arrow: _arrow_take(schema, max_rows, block) ------------------------------
// The records of the stream as pyarrow RecordBatches of up to `max_rows`
// rows (aerospike_py.arrow.ArrowBatches drives it): the records are written
// from the chunks' wire bytes into Arrow columns (arrow_fill.h), with the
// same bookkeeping as ConvertRecord (records, the cursor). Returns a batch
// as soon as it is full, or when it has rows and the stream would have to
// wait; None at the end (raising the query's error once, as iteration does).
// With nothing at hand: `block` waits (GIL released, sync streams); else the
// wake future is returned for the caller to await (async streams).

// The consumer's position after record `m` (ConvertRecord's bookkeeping).
bool NoteConsumed(QueryStreamObject* self, const proto::MessageView& m) {
  ByteSpan digest, bval;
  proto::FieldIterator fields(m);
  proto::FieldView f;
  while (fields.Next(&f)) {
    switch (static_cast<proto::FieldType>(f.type)) {
      case proto::FieldType::kDigest: digest = f.data; break;
      case proto::FieldType::kBvalArray: bval = f.data; break;
      default: break;
    }
  }
  if (digest.size() != proto::kDigestSize) {
    RaiseInvalidArg(self->st, "Arrow output needs records: this query returns aggregation "
                    "values (use iteration)");
    return false;
  }
  ConsumedPosition& pos = self->s->consumed[proto::PartitionId(digest.data())];
  pos.any = true;
  std::memcpy(pos.digest.data(), digest.data(), proto::kDigestSize);
  if (bval.size() == 8) {
    pos.has_bval = true;
    pos.bval = static_cast<int64_t>(LoadLE64(bval.data()));
  }
  return true;
}

// A future to await until the stream has news (async streams), or null.
// Sets *retry instead when news arrived while arming.
PyObject* ArmArrowWake(QueryStreamObject* self, bool* retry) {
  ModuleState* st = self->st;
  *retry = false;
  PyObject* bridge = BridgeForRunningLoop(st);
  if (bridge == nullptr) return nullptr;
  uint64_t token = 0;
  std::shared_ptr<client::CompletionSink> sink;
  Ref fut = Ref::Steal(BridgeRegisterWake(bridge, &token, &sink));
  if (!fut) return nullptr;
  if (!self->s->stream->ArmWakeup(std::move(sink), token)) {
    BridgeForgetWake(bridge, token);
    *retry = true;
    return nullptr;
  }
  self->waiting = Py_NewRef(fut.get());
  return fut.release();
}

const char* const kArrowTakeArgs[] = {"schema", "max_rows", "block"};

PyObject* QueryStream_arrow_take(PyObject* obj, PyObject* const* args, Py_ssize_t nargs,
                                 PyObject* kwnames) {
  static const ArgSpec spec = {"_arrow_take", kArrowTakeArgs, 3, 3};
  QueryStreamObject* self = AsStream(obj);
  ModuleState* st = self->st;
  StreamState* s = self->s;
  PyObject* a[3] = {};
  if (!ParseArgs(spec, args, nargs, kwnames, a)) return nullptr;
  const long long max_rows = PyLong_Check(a[1]) ? PyLong_AsLongLong(a[1]) : -1;
  if (max_rows == -1 && PyErr_Occurred()) return nullptr;
  if (max_rows < 1) return RaiseInvalidArg(st, "chunk must be an int >= 1");
  const int block = PyObject_IsTrue(a[2]);
  if (block < 0) return nullptr;
  Ref schema;
  std::shared_ptr<const ArrowLayout> layout = ArrowLayoutOf(st, a[0], &schema);
  if (layout == nullptr) return nullptr;
  if (self->waiting != nullptr) {
    PyObject* fut_arg[] = {self->waiting};
    Ref done = Ref::Steal(PyObject_VectorcallMethod(
        st->s_done, fut_arg, 1 | PY_VECTORCALL_ARGUMENTS_OFFSET, nullptr));
    if (!done) return nullptr;
    if (done.get() != Py_True) {
      PyErr_SetString(PyExc_RuntimeError,
                      "another task is already waiting for the next records of this QueryStream");
      return nullptr;
    }
    Py_CLEAR(self->waiting);
  }
  const size_t want = static_cast<size_t>(max_rows);
  ArrowBuilder builder(layout, want < 4096 ? want : 4096);
  std::string where;
  bool stop = false;
  while (!stop) {
    while (s->next < s->chunk.records.size() && static_cast<size_t>(builder.rows()) < want) {
      const proto::MessageView m = s->chunk.Record(s->next);
      if (!NoteConsumed(self, m)) return nullptr;
      ++s->next;
      ++s->delivered;
      where.assign("query record ").append(std::to_string(s->delivered - 1));
      if (!builder.AppendRecord(m, m.header.generation, m.header.record_ttl, s->now, where)) {
        return RaiseInvalidArg(st, "%s", builder.error().message.c_str());
      }
    }
    if (static_cast<size_t>(builder.rows()) >= want || s->ended) break;
    if (!s->chunk.records.empty()) {
      s->chunk = client::QueryChunk();  // its memory goes back now
      s->next = 0;
    }
    bool resume = false;
    switch (s->stream->Take(&s->chunk, &resume)) {
      case client::QueryStream::Next::kChunk:
        if (resume && !s->closed) Submit(s, client::QueryControlCommand::Action::kResume);
        s->now = static_cast<uint32_t>(proto::NowServerEpochSeconds());
        break;
      case client::QueryStream::Next::kWait:
        if (builder.rows() > 0) {
          stop = true;
        } else if (block) {
          if (!WaitSync(s)) return nullptr;
        } else {
          bool retry = false;
          PyObject* fut = ArmArrowWake(self, &retry);
          if (fut != nullptr || !retry) return fut;
        }
        break;
      case client::QueryStream::Next::kEnd:
        s->ended = true;
        TakeEnd(s);
        stop = true;
        break;
    }
  }
  if (builder.rows() == 0) {
    if (RaiseEndError(self)) return nullptr;
    Py_RETURN_NONE;
  }
  return ImportArrowBatch(st, builder.Finish(), schema.get());
}

PyObject* QueryStream_self(PyObject* obj) { return Py_NewRef(obj); }

PyMethodDef kQueryStreamMethods[] = {
    {"close", QueryStream_close, METH_NOARGS,
     "close()\n--\n\nStops the query if it still runs (its connections close, the server "
     "stops sending) and waits until it ended. Records not taken yet are dropped. "
     "Idempotent."},
    {"aclose", QueryStream_aclose, METH_NOARGS,
     "aclose()\n--\n\nAwaitable close(): stops the query and waits for its end without "
     "blocking the loop."},
    {"partitions", QueryStream_partitions, METH_NOARGS,
     "partitions()\n--\n\nThe cursor of an ended stream: [(pid, started, done, digest, "
     "bval)], resuming after the last record the consumer took. Closes a running stream "
     "first."},
    {"_arrow_take",
     reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(QueryStream_arrow_take)),
     METH_FASTCALL | METH_KEYWORDS,
     "_arrow_take(schema, max_rows, block)\n--\n\nThe next pyarrow.RecordBatch of up to "
     "max_rows records, None at the end, or (block=False, nothing at hand) a future to await "
     "first. Use QueryStream.arrow_batches()."},
    {nullptr, nullptr, 0, nullptr},
};

PyGetSetDef kQueryStreamGetSet[] = {
    {"records", QueryStream_get_records, nullptr,
     "Records handed to the consumer so far.", nullptr},
    {"ended", QueryStream_get_ended, nullptr, "True once the consumer saw the end.", nullptr},
    {"task_id", QueryStream_get_task_id, nullptr,
     "The query's task id (query-show / query-abort on the servers).", nullptr},
    {"pauses", QueryStream_get_pauses, nullptr,
     "How many times the query stopped reading because the consumer fell behind.", nullptr},
    {"buffered_bytes", QueryStream_get_buffered_bytes, nullptr,
     "Bytes of received records queued for the consumer.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyType_Slot kQueryStreamSlots[] = {
    {Py_tp_doc, const_cast<char*>(
                    "A running scan or query: iterate it (for / async for) for Record "
                    "NamedTuples as the server sends them.")},
    {Py_tp_iter, reinterpret_cast<void*>(QueryStream_self)},
    {Py_tp_iternext, reinterpret_cast<void*>(QueryStream_iternext)},
    {Py_am_aiter, reinterpret_cast<void*>(QueryStream_self)},
    {Py_am_anext, reinterpret_cast<void*>(QueryStream_anext)},
    {Py_tp_methods, kQueryStreamMethods},
    {Py_tp_getset, kQueryStreamGetSet},
    {Py_tp_traverse, reinterpret_cast<void*>(QueryStream_traverse)},
    {Py_tp_clear, reinterpret_cast<void*>(QueryStream_clear)},
    {Py_tp_dealloc, reinterpret_cast<void*>(QueryStream_dealloc)},
    {0, nullptr},
};

// --- _QueryNext: the awaitable of one __anext__ (or of aclose) ---------------

PySendResult QueryNext_step(QueryNextObject* n, PyObject** result);

// Runs one step; once the awaitable finished (a value or an error) it lets
// go of its stream. The caller holds `obj`, so dropping the stream here
// (which may free it and its cached awaitable reference) is safe.
PySendResult QueryNext_send(PyObject* obj, PyObject* /*arg*/, PyObject** result) {
  QueryNextObject* n = reinterpret_cast<QueryNextObject*>(obj);
  if (n->stream == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "cannot reuse an already awaited QueryStream step");
    *result = nullptr;
    return PYGEN_ERROR;
  }
  PySendResult r = QueryNext_step(n, result);
  if (r != PYGEN_NEXT) {
    Ref drop = Ref::Steal(n->stream);
    n->stream = nullptr;
  }
  return r;
}

PySendResult QueryNext_step(QueryNextObject* n, PyObject** result) {
  QueryStreamObject* self = AsStream(n->stream);
  ModuleState* st = self->st;
  if (self->waiting != nullptr) {
    // The future this stream yielded last must be done: one consumer at a
    // time (two tasks waiting would need two wake-ups).
    PyObject* fut_arg[] = {self->waiting};
    Ref done = Ref::Steal(PyObject_VectorcallMethod(
        st->s_done, fut_arg, 1 | PY_VECTORCALL_ARGUMENTS_OFFSET, nullptr));
    if (!done) {
      *result = nullptr;
      return PYGEN_ERROR;
    }
    if (done.get() != Py_True) {
      PyErr_SetString(PyExc_RuntimeError,
                      "another task is already waiting for the next record of this QueryStream");
      *result = nullptr;
      return PYGEN_ERROR;
    }
    Py_CLEAR(self->waiting);
  }
  for (;;) {
    PyObject* rec = nullptr;
    Step step;
    if (n->closing) {
      // Skip what is left: the query was cancelled; wait for its end.
      StreamState* s = self->s;
      s->chunk = client::QueryChunk();
      s->next = 0;
      step = Advance(self, &rec);
      if (step == Step::kRecord) {
        Py_DECREF(rec);
        continue;
      }
      if (step == Step::kEnd) {
        *result = Py_NewRef(Py_None);
        return PYGEN_RETURN;
      }
    } else {
      step = Advance(self, &rec);
    }
    switch (step) {
      case Step::kRecord:
        *result = rec;
        return PYGEN_RETURN;
      case Step::kError:
        *result = nullptr;
        return PYGEN_ERROR;
      case Step::kEnd:
        if (!RaiseEndError(self)) PyErr_SetNone(PyExc_StopAsyncIteration);
        *result = nullptr;
        return PYGEN_ERROR;
      case Step::kWait:
        break;
    }
    PyObject* bridge = BridgeForRunningLoop(st);
    if (bridge == nullptr) {
      *result = nullptr;
      return PYGEN_ERROR;
    }
    uint64_t token = 0;
    std::shared_ptr<client::CompletionSink> sink;
    Ref fut = Ref::Steal(BridgeRegisterWake(bridge, &token, &sink));
    if (!fut) {
      *result = nullptr;
      return PYGEN_ERROR;
    }
    if (!self->s->stream->ArmWakeup(std::move(sink), token)) {
      BridgeForgetWake(bridge, token);  // news arrived meanwhile: look again
      continue;
    }
    if (PyObject_SetAttr(fut.get(), st->s__asyncio_future_blocking, Py_True) < 0) {
      *result = nullptr;
      return PYGEN_ERROR;
    }
    self->waiting = Py_NewRef(fut.get());
    *result = fut.release();
    return PYGEN_NEXT;
  }
}

PyObject* QueryNext_iternext(PyObject* obj) {
  PyObject* result = nullptr;
  switch (QueryNext_send(obj, Py_None, &result)) {
    case PYGEN_NEXT:
      return result;
    case PYGEN_RETURN: {
      // StopIteration(value): built explicitly, a tuple value must not
      // become the exception's arguments.
      PyObject* exc = PyObject_CallOneArg(PyExc_StopIteration, result);
      Py_DECREF(result);
      if (exc != nullptr) {
        PyErr_SetObject(PyExc_StopIteration, exc);
        Py_DECREF(exc);
      }
      return nullptr;
    }
    case PYGEN_ERROR:
      return nullptr;
  }
  return nullptr;
}

PyObject* QueryNext_send_method(PyObject* obj, PyObject* arg) {
  return QueryNext_iternext(obj);
}

// The awaitable is finished (an exception thrown in: the awaiting task was
// cancelled, or closed): it lets go of its stream, so dropping the stream
// cancels the query at once instead of at the next garbage collection.
void ReleaseStream(PyObject* obj) {
  QueryNextObject* n = reinterpret_cast<QueryNextObject*>(obj);
  Ref drop = Ref::Steal(n->stream);
  n->stream = nullptr;
}

PyObject* QueryNext_throw(PyObject* obj, PyObject* const* args, Py_ssize_t nargs) {
  if (nargs < 1) {
    PyErr_SetString(PyExc_TypeError, "throw expected at least 1 argument");
    return nullptr;
  }
  PyObject* exc = args[0];
  if (PyExceptionClass_Check(exc)) {
    PyErr_SetObject(exc, nargs > 1 ? args[1] : nullptr);
  } else {
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc)), exc);
  }
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);  // dropping the stream may run code
  ReleaseStream(obj);
  PyErr_Restore(type, value, tb);
  return nullptr;
}

PyObject* QueryNext_close_method(PyObject* obj, PyObject*) {
  ReleaseStream(obj);
  Py_RETURN_NONE;
}

int QueryNext_traverse(PyObject* obj, visitproc visit, void* arg) {
  Py_VISIT(Py_TYPE(obj));
  Py_VISIT(reinterpret_cast<QueryNextObject*>(obj)->stream);
  return 0;
}

int QueryNext_clear(PyObject* obj) {
  Py_CLEAR(reinterpret_cast<QueryNextObject*>(obj)->stream);
  return 0;
}

void QueryNext_dealloc(PyObject* obj) {
  PyTypeObject* tp = Py_TYPE(obj);
  PyObject_GC_UnTrack(obj);
  QueryNext_clear(obj);
  PyObject_GC_Del(obj);
  Py_DECREF(tp);
}

PyMethodDef kQueryNextMethods[] = {
    {"send", QueryNext_send_method, METH_O, nullptr},
    {"throw", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(QueryNext_throw)),
     METH_FASTCALL, nullptr},
    {"close", QueryNext_close_method, METH_NOARGS, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

PyType_Slot kQueryNextSlots[] = {
    {Py_tp_doc, const_cast<char*>("Awaitable of one QueryStream.__anext__() (internal).")},
    {Py_am_await, reinterpret_cast<void*>(QueryStream_self)},
#if ASPY_HAVE_AM_SEND
    {Py_am_send, reinterpret_cast<void*>(QueryNext_send)},
#endif
    {Py_tp_iter, reinterpret_cast<void*>(QueryStream_self)},
    {Py_tp_iternext, reinterpret_cast<void*>(QueryNext_iternext)},
    {Py_tp_methods, kQueryNextMethods},
    {Py_tp_traverse, reinterpret_cast<void*>(QueryNext_traverse)},
    {Py_tp_clear, reinterpret_cast<void*>(QueryNext_clear)},
    {Py_tp_dealloc, reinterpret_cast<void*>(QueryNext_dealloc)},
    {0, nullptr},
};

}  // namespace

PyType_Spec kQueryStreamSpec = {
    "aerospike_py._core.QueryStream",
    sizeof(QueryStreamObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
    kQueryStreamSlots,
};

PyType_Spec kQueryNextSpec = {
    "aerospike_py._core._QueryNext",
    sizeof(QueryNextObject),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    kQueryNextSlots,
};

PyObject* NewQueryStream(ModuleState* st, PyTypeObject* type,
                         std::shared_ptr<client::QueryStream> stream,
                         std::shared_ptr<client::Client> core, PyObject* ns_str,
                         std::vector<client::PartitionStatus> initial, bool has_where,
                         uint64_t task_id) {
  Ref obj = Ref::Steal(type->tp_alloc(type, 0));
  if (!obj) return nullptr;
  QueryStreamObject* self = AsStream(obj.get());
  self->st = st;
  self->ns = Py_NewRef(ns_str);
  self->s = new StreamState();
  self->s->stream = std::move(stream);
  self->s->core = std::move(core);
  self->s->initial = std::move(initial);
  self->s->consumed.resize(proto::kPartitions);
  self->s->has_where = has_where;
  self->s->task_id = task_id;
  return obj.release();
}

}  // namespace aerospike_py::python
