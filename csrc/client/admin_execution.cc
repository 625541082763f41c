#include "client/admin_execution.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "client/engine.h"
#include "common/bcrypt.h"
#include "io/event_loop.h"
#include "io/node_io.h"

namespace aerospike_py::client {

namespace cmd = proto::admin_command;
namespace fld = proto::admin_field;

AdminCommand::~AdminCommand() { WipeString(&password); }

AdminExecution::AdminExecution(Engine* engine, std::unique_ptr<Command> command)
    : Execution(engine, std::move(command)), cmd_(static_cast<AdminCommand*>(this->command())) {}

AdminExecution::~AdminExecution() { WipeString(&new_hash_); }

void AdminExecution::Start() {
  const auto& nodes = engine_->cluster().nodes();
  if (nodes.empty()) {
    Finish(absl::UnavailableError("the client is not connected to any node"));
    return;
  }
  static thread_local std::minstd_rand rng(std::random_device{}());
  node_ = nodes[rng() % nodes.size()];
  const bool hashes = cmd_->admin_command == cmd::kCreateUser ||
                      cmd_->admin_command == cmd::kSetPassword ||
                      cmd_->admin_command == cmd::kChangePassword;
  if (!hashes) {
    Send();
    return;
  }
  // bcrypt takes tens of milliseconds: on the thread pool, never here.
  auto password = std::make_shared<std::string>(std::move(cmd_->password));
  WipeString(&cmd_->password);
  auto hash = std::make_shared<std::string>();
  std::weak_ptr<bool> alive = alive_;
  engine_->offload().Run(
      [password, hash] {
        *hash = AerospikePasswordHash(*password);
        WipeString(password.get());
      },
      [this, alive, hash] {
        if (alive.expired() || finished()) {
          WipeString(hash.get());
          return;
        }
        new_hash_ = std::move(*hash);
        Send();
      });
}

Status AdminExecution::Encode() {
  if (cmd_->admin_command == cmd::kSetPassword || cmd_->admin_command == cmd::kChangePassword) {
    // The client's own user changes its password with the old hash as
    // proof (no user-admin needed); anyone else's is set by an admin.
    io::Authenticator* auth = engine_->authenticator();
    own_password_ = auth != nullptr && auth->user() == cmd_->user &&
                    auth->mode() == proto::AuthMode::kInternal;
    proto::AdminWriter w(&request_, own_password_ ? cmd::kChangePassword : cmd::kSetPassword);
    w.AddField(fld::kUser, std::string_view(cmd_->user));
    if (own_password_) w.AddField(fld::kOldPassword, std::string_view(auth->credential()));
    w.AddField(fld::kPassword, std::string_view(new_hash_));
    w.Finish();
    return absl::OkStatus();
  }
  proto::AdminWriter w(&request_, cmd_->admin_command);
  switch (cmd_->admin_command) {
    case cmd::kCreateUser:
      w.AddField(fld::kUser, std::string_view(cmd_->user));
      w.AddField(fld::kPassword, std::string_view(new_hash_));
      ASPY_RETURN_IF_ERROR(proto::AddRolesField(&w, cmd_->roles));
      break;
    case cmd::kDropUser:
      w.AddField(fld::kUser, std::string_view(cmd_->user));
      break;
    case cmd::kGrantRoles:
    case cmd::kRevokeRoles:
      w.AddField(fld::kUser, std::string_view(cmd_->user));
      ASPY_RETURN_IF_ERROR(proto::AddRolesField(&w, cmd_->roles));
      break;
    case cmd::kQueryUsers:
      if (!cmd_->user.empty()) w.AddField(fld::kUser, std::string_view(cmd_->user));
      break;
    case cmd::kCreateRole:
      w.AddField(fld::kRole, std::string_view(cmd_->role));
      if (!cmd_->privileges.empty()) {
        ASPY_RETURN_IF_ERROR(proto::AddPrivilegesField(&w, cmd_->privileges));
      }
      if (cmd_->has_whitelist && !cmd_->whitelist.empty()) {
        proto::AddWhitelistField(&w, cmd_->whitelist);
      }
      if (cmd_->has_read_quota && cmd_->read_quota > 0) {
        w.AddU32Field(fld::kReadQuota, cmd_->read_quota);
      }
      if (cmd_->has_write_quota && cmd_->write_quota > 0) {
        w.AddU32Field(fld::kWriteQuota, cmd_->write_quota);
      }
      break;
    case cmd::kDropRole:
      w.AddField(fld::kRole, std::string_view(cmd_->role));
      break;
    case cmd::kGrantPrivileges:
    case cmd::kRevokePrivileges:
      w.AddField(fld::kRole, std::string_view(cmd_->role));
      ASPY_RETURN_IF_ERROR(proto::AddPrivilegesField(&w, cmd_->privileges));
      break;
    case cmd::kSetWhitelist:
      w.AddField(fld::kRole, std::string_view(cmd_->role));
      if (!cmd_->whitelist.empty()) proto::AddWhitelistField(&w, cmd_->whitelist);
      break;
    case cmd::kSetQuotas:
      w.AddField(fld::kRole, std::string_view(cmd_->role));
      w.AddU32Field(fld::kReadQuota, cmd_->read_quota);
      w.AddU32Field(fld::kWriteQuota, cmd_->write_quota);
      break;
    case cmd::kQueryRoles:
      if (!cmd_->role.empty()) w.AddField(fld::kRole, std::string_view(cmd_->role));
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unknown admin command ", cmd_->admin_command));
  }
  w.Finish();
  return absl::OkStatus();
}

void AdminExecution::Send() {
  Status encoded = Encode();
  if (!encoded.ok()) {
    Finish(encoded);
    return;
  }
  io::NodeIo* nio = io::NodeIo::Of(*node_);
  if (nio == nullptr) {
    Finish(absl::UnavailableError(absl::StrCat("node ", node_->name(), " has no connections")));
    return;
  }
  command()->node = node_->name();
  command()->attempts = 1;
  const uint32_t timeout = cmd_->timeout_ms != 0 ? cmd_->timeout_ms : 60000;
  ByteSpan part = request_.span();
  attempt_.Start(&engine_->loop(), nio->data_pool(), absl::MakeConstSpan(&part, 1),
                 engine_->loop().NowMs() + timeout);
}

StatusOr<bool> AdminExecution::OnAttemptFrame(proto::Frame frame) {
  if (frame.type != static_cast<uint8_t>(proto::ProtoType::kAdmin)) {
    return absl::DataLossError(
        absl::StrCat("expected an admin answer, got proto type ", frame.type));
  }
  uint8_t result = 0;
  switch (cmd_->admin_command) {
    case cmd::kQueryUsers: {
      ASPY_ASSIGN_OR_RETURN(bool done, proto::ParseUsersBlock(frame.body(), &cmd_->users, &result));
      if (!done) return false;
      break;
    }
    case cmd::kQueryRoles: {
      ASPY_ASSIGN_OR_RETURN(bool done,
                            proto::ParseRolesBlock(frame.body(), &cmd_->roles_found, &result));
      if (!done) return false;
      break;
    }
    default: {
      ASPY_ASSIGN_OR_RETURN(proto::AdminMessageView m, proto::ParseAdminMessage(frame.body()));
      if (m.size != frame.body().size()) {
        return absl::DataLossError("bytes after the admin answer");
      }
      result = m.header.result;
      break;
    }
  }
  // QUERY_END closes a successful query.
  if (result == ToInt(ResultCode::kQueryEnd)) result = 0;
  cmd_->result = static_cast<ResultCode>(result);
  return true;
}

void AdminExecution::OnAttemptDone(const Status& status) {
  if (status.ok() && own_password_ && cmd_->result == ResultCode::kOk) {
    // Later logins (new connections, expired sessions) use the new hash.
    if (io::Authenticator* auth = engine_->authenticator()) {
      auth->SetCredential(std::move(new_hash_), std::string());
    }
  }
  WipeString(&new_hash_);
  Finish(status);
}

void AdminExecution::Abort(const Status& why) {
  alive_.reset();
  attempt_.Abort();
  Finish(why);
}

}  // namespace aerospike_py::client
