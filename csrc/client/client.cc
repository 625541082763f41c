#include "client/client.h"

#include "client/engine.h"

namespace aerospike_py::client {

Client::Client(std::unique_ptr<Engine> engine) : engine_(std::move(engine)) {}

StatusOr<std::unique_ptr<Client>> Client::Start(ClientConfig config) {
  ASPY_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Start(std::move(config)));
  return std::unique_ptr<Client>(new Client(std::move(engine)));
}

Client::~Client() { Close(); }

void Client::Submit(std::unique_ptr<Command> command) { engine_->Submit(std::move(command)); }

void Client::Close() { engine_->Close(); }

bool Client::IsConnected() const { return engine_->IsConnected(); }

std::vector<std::string> Client::NodeNames() const { return engine_->NodeNames(); }

std::vector<proto::Endpoint> Client::NodeAddresses() const { return engine_->NodeAddresses(); }

const ClientConfig& Client::config() const { return engine_->config(); }

}  // namespace aerospike_py::client
