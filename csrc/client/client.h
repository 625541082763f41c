// The C++ facade of the client: one instance per Python Client/AsyncClient.
// Start() launches the client's libuv event thread, which owns every socket,
// tends the cluster and runs commands; Submit() is the only way in and is
// safe from any thread. Nothing here touches Python.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "client/command.h"
#include "client/policy.h"
#include "common/status.h"
#include "proto/info.h"

namespace aerospike_py::client {

class Engine;  // client/engine.h: the event thread and everything it owns

class Client {
 public:
  // Validates the config and starts the event thread, which begins seeding
  // at once; submit a ConnectCommand to learn when the cluster is usable.
  static StatusOr<std::unique_ptr<Client>> Start(ClientConfig config);
  ~Client();  // Close()
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Any thread. After Close() the command completes at once with Cancelled.
  void Submit(std::unique_ptr<Command> command);

  // Fails every queued and in-flight command with Cancelled (they still reach
  // their sinks), closes all sockets and joins the event thread. Idempotent.
  // Must not be called from the event thread.
  void Close();

  bool IsConnected() const;                  // at least one active node
  std::vector<std::string> NodeNames() const;
  std::vector<proto::Endpoint> NodeAddresses() const;  // same order

  const ClientConfig& config() const;

 private:
  explicit Client(std::unique_ptr<Engine> engine);
  std::unique_ptr<Engine> engine_;
};

}  // namespace aerospike_py::client
