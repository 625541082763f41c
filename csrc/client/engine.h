// Engine: everything a Client runs on its event thread, and the thread-safe
// doors into it. It owns the EventLoop (the thread), the Cluster (tending
// and routing) with its ClusterTransport, and every Execution.
//
//   caller threads:  Submit() -> submit queue (mutex) -> EventLoop::Wakeup()
//                               (only on empty -> non-empty; sends coalesce)
//   event thread:    OnWakeup(): take the whole queue, create an Execution
//                    per command; admission control (max_concurrent_
//                    operations, FIFO wait up to operation_queue_timeout_ms,
//                    then ResourceExhausted); executions route with the
//                    partition table and run io::Attempts; completions go to
//                    each command's sink; tend timer every tend_interval_ms.
//   Close():         marks the queue closed (later Submits complete with
//                    Cancelled on the caller's thread), stops the loop:
//                    queued and in-flight commands complete with Cancelled,
//                    pools close, the thread is joined.
//
// No lock is taken on the event thread except the submit queue's (once
// per wakeup) and the sinks' (once per completion).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "client/command.h"
#include "client/policy.h"
#include "cluster/cluster.h"
#include "cluster/router.h"
#include "common/status.h"
#include "io/authenticator.h"
#include "io/cluster_transport.h"
#include "io/connection_security.h"
#include "io/event_loop.h"
#include "io/offload.h"
#include "io/timer_queue.h"
#include "tls/tls_context.h"
#include "proto/batch.h"
#include "proto/digest.h"
#include "proto/info.h"

namespace aerospike_py::client {

class Execution;

class Engine final : public io::EventLoop::Owner, public cluster::ClusterListener {
 public:
  // Validates `config` and starts the event thread, which starts tending.
  static StatusOr<std::unique_ptr<Engine>> Start(ClientConfig config);
  ~Engine() override;  // Close()

  // --- any thread ---
  void Submit(std::unique_ptr<Command> command);
  void Close();
  bool IsConnected() const;
  std::vector<std::string> NodeNames() const;
  // The active nodes' service addresses (host, port), in NodeNames()' order.
  std::vector<proto::Endpoint> NodeAddresses() const;
  const ClientConfig& config() const { return config_; }

  // --- event thread (executions) ---
  io::EventLoop& loop() { return *loop_; }
  cluster::Cluster& cluster() { return *cluster_; }
  io::ClusterTransport& transport() { return *transport_; }
  cluster::RouteOptions RouteFor(const CommandPolicy& policy, bool write, uint32_t attempt);
  // The loop's clock after refreshing it (executions stamp deadlines).
  int64_t NowMs();
  // Reused between batches (encoding and digesting are synchronous).
  std::vector<proto::BatchRow>& batch_rows() { return batch_rows_; }
  std::vector<proto::DigestRequest>& digest_requests() { return digest_requests_; }
  // Called by Execution::Finish.
  void Complete(Execution* execution, std::unique_ptr<Command> command);
  void Log(cluster::LogLevel level, std::string message);
  // A command could not reach a node: tend now (at most every 100 ms)
  // rather than at the next interval, so the map follows a dead node fast.
  void OnNodeTrouble();
  // Not OK when the node's circuit breaker is open: max_error_rate errors
  // in the current window (an Aborted status, which retries elsewhere and
  // surfaces as MAX_ERROR_RATE).
  Status CheckErrorRate(const cluster::Node& node) const;
  // Why connect() failed: the cluster's last problem, with its code (TLS,
  // or the server's security code) attached when it has one.
  Status ConnectFailure(std::string_view what) const;
  // TLS and login of new connections (null: plain TCP, no user).
  const std::shared_ptr<const io::ConnectionSecurity>& security() const { return security_; }
  io::Authenticator* authenticator() const {
    return security_ != nullptr ? security_->auth.get() : nullptr;
  }
  io::OffloadQueue& offload() { return *offload_; }

 private:
  // Starts a new error-rate window every error_rate_window tend intervals.
  void RollErrorWindow();

  explicit Engine(ClientConfig config);

  // EventLoop::Owner
  void OnLoopStart() override;
  void OnWakeup() override;
  void OnLoopIteration() override;
  void OnStop() override;
  // ClusterListener
  void OnNodeAdded(cluster::Node& node) override;
  void OnNodeRemoved(cluster::Node& node) override;
  void OnPartitionsChanged() override;
  void OnTendComplete() override;
  void OnLog(cluster::LogLevel level, std::string message) override;

  void Dispatch(std::unique_ptr<Command> command);
  // Fuses the coalescable gets (client/coalescer.h) and merges the
  // mergeable batch reads (client/batch_coalescer.h) of `commands`.
  void Coalesce(std::vector<std::unique_ptr<Command>>* commands);
  // Coalesces draining_, or, with a coalescing window, moves the commands
  // waiting for company to coalesce_held_ until it closes.
  void CoalesceDrained();
  // Closes the coalescing window: merges and dispatches what it held.
  void FlushCoalesceWindow();
  // After a wakeup with a sub-millisecond window open: flush it when due,
  // else wake the loop again (it polls sockets without blocking meanwhile).
  void PollCoalesceWindow();
  // Starts tending, once the password hash (if any) is known.
  void StartCluster(std::shared_ptr<io::Authenticator> auth);
  void Admit(Execution* e);
  void Pump();
  void OnQueueTimeout(Execution* e);
  void OnTendTimer();
  void ArmTend(uint32_t delay_ms);
  void PublishNodes();
  void ListPush(Execution** head, Execution** tail, Execution* e);
  void ListRemove(Execution** head, Execution** tail, Execution* e);

  ClientConfig config_;
  std::vector<int32_t> rack_ids_;

  // Submit queue.
  mutable absl::Mutex submit_mu_;
  std::vector<std::unique_ptr<Command>> submitted_ ABSL_GUARDED_BY(submit_mu_);
  bool closed_ ABSL_GUARDED_BY(submit_mu_) = false;
  std::vector<std::unique_ptr<Command>> draining_;  // event thread

  // Node names for other threads.
  mutable absl::Mutex names_mu_;
  std::vector<std::string> node_names_ ABSL_GUARDED_BY(names_mu_);
  std::vector<proto::Endpoint> node_addresses_ ABSL_GUARDED_BY(names_mu_);

  // Event-thread state. `loop_` is declared first so that it is destroyed
  // last: everything below may hold pointers into it.
  std::unique_ptr<io::EventLoop> loop_;
  std::unique_ptr<io::OffloadQueue> offload_;
  std::shared_ptr<tls::TlsContext> tls_context_;
  std::shared_ptr<const io::ConnectionSecurity> security_;
  // What node pools use: security_, or without TLS (tls.for_login_only).
  std::shared_ptr<const io::ConnectionSecurity> node_security_;
  // Commands submitted before tending started (password still hashing).
  std::vector<std::unique_ptr<Command>> early_;
  std::unique_ptr<io::ClusterTransport> transport_;
  std::unique_ptr<cluster::Cluster> cluster_;
  io::Timer tend_timer_;
  // Coalescable reads waiting for the coalescing window to close, and when
  // it closes (0: no window open). A window of a millisecond or more waits
  // on coalesce_timer_; a shorter one is polled from OnWakeup.
  std::vector<std::unique_ptr<Command>> coalesce_held_;
  int64_t coalesce_deadline_ns_ = 0;
  io::Timer coalesce_timer_;
  Execution* live_head_ = nullptr;
  Execution* live_tail_ = nullptr;
  Execution* queued_head_ = nullptr;
  Execution* queued_tail_ = nullptr;
  uint32_t in_flight_ = 0;   // admitted work not finished
  size_t queued_ = 0;
  bool pumping_ = false;
  bool stopping_ = false;
  std::vector<std::unique_ptr<Execution>> finished_;
  std::vector<Execution*> connect_waiters_;
  std::vector<proto::BatchRow> batch_rows_;
  std::vector<proto::DigestRequest> digest_requests_;
  uint32_t rotation_ = 0;
  int64_t last_tend_ms_ = 0;
  int64_t error_window_start_ms_ = 0;
  std::atomic<bool> joined_{false};
};

}  // namespace aerospike_py::client
