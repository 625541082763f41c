// AdminExecution: runs one AdminCommand. A password is first hashed with
// bcrypt on libuv's thread pool (io::OffloadQueue); then the request goes to
// a random node on a data connection (authenticated like every connection
// of the client) and the answer is read: one bare header for changes, a
// stream of user/role messages ended by QUERY_END (50) for queries. No
// retries (admin changes are not idempotent); one timeout for the whole
// exchange. When the client's own password changes, later logins use the
// new hash. Event thread only.
#pragma once

#include <memory>

#include "client/admin_command.h"
#include "client/execution.h"
#include "cluster/node.h"
#include "common/byte_buffer.h"
#include "io/attempt.h"

namespace aerospike_py::client {

class AdminExecution final : public Execution, private io::AttemptListener {
 public:
  AdminExecution(Engine* engine, std::unique_ptr<Command> command);
  ~AdminExecution() override;
  void Start() override;
  void Abort(const Status& why) override;

 private:
  void Send();
  Status Encode();
  StatusOr<bool> OnAttemptFrame(proto::Frame frame) override;
  void OnAttemptDone(const Status& status) override;

  AdminCommand* cmd_;
  ByteBuffer request_;
  std::string new_hash_;    // bcrypt of cmd_->password
  bool own_password_ = false;  // CHANGE_PASSWORD of the client's own user
  cluster::NodeRef node_;
  io::Attempt attempt_{this};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace aerospike_py::client
