#include "io/offload.h"

#include <uv.h>

#include <algorithm>

#include "io/event_loop.h"

namespace aerospike_py::io {

struct OffloadQueue::Request {
  uv_work_t req;
  OffloadQueue* owner;  // null once cancelled
  std::function<void()> work;
  std::function<void()> done;
};

void OffloadQueue::Run(std::function<void()> work, std::function<void()> done) {
  auto* r = new Request{uv_work_t{}, this, std::move(work), std::move(done)};
  r->req.data = r;
  const int rc = uv_queue_work(
      loop_->uv(), &r->req, [](uv_work_t* req) { static_cast<Request*>(req->data)->work(); },
      [](uv_work_t* req, int status) {
        auto* r = static_cast<Request*>(req->data);
        OffloadQueue* owner = r->owner;
        if (owner != nullptr) {
          auto& v = owner->pending_;
          v.erase(std::remove(v.begin(), v.end(), r), v.end());
        }
        std::function<void()> done = std::move(r->done);
        delete r;
        if (owner != nullptr && status == 0) done();
      });
  if (rc != 0) {
    // The pool refused (it never does for a live loop): run it here.
    std::function<void()> w = std::move(r->work), d = std::move(r->done);
    delete r;
    w();
    d();
    return;
  }
  pending_.push_back(r);
}

void OffloadQueue::CancelAll() {
  std::vector<Request*> pending;
  pending.swap(pending_);
  for (Request* r : pending) {
    r->owner = nullptr;
    uv_cancel(reinterpret_cast<uv_req_t*>(&r->req));  // fails harmlessly once running
  }
}

}  // namespace aerospike_py::io
