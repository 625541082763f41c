#include "client/command_log.h"

#include <cstdint>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "client/log_queue.h"
#include "client/query_command.h"
#include "common/result_code.h"
#include "common/strings.h"

namespace aerospike_py::client {
namespace {

std::string_view KindName(const Command& command) {
  switch (command.kind()) {
    case CommandKind::kConnect:
      return "connect";
    case CommandKind::kInfo:
      return "info";
    case CommandKind::kRecord:
      return static_cast<const RecordCommand&>(command).is_write ? "record write" : "record read";
    case CommandKind::kBatch:
      return "batch";
    case CommandKind::kQuery:
      return static_cast<const QueryCommand&>(command).background ? "background query" : "query";
    case CommandKind::kQueryControl:
      return "query control";
    case CommandKind::kStreamWake:
      return "stream wake-up";
    case CommandKind::kAdmin:
      return "admin";  // never with its fields: they may hold credentials
  }
  return "command";
}

// What the command was about, after its kind.
std::string Subject(const Command& command) {
  switch (command.kind()) {
    case CommandKind::kRecord: {
      const auto& rc = static_cast<const RecordCommand&>(command);
      std::string s = absl::StrCat(" ", AbslView(rc.key.ns), "/", AbslView(rc.key.set));
      if (rc.key.has_digest) {
        // 8 of the 20 digest bytes: enough to tell records apart in a log.
        const std::string_view raw(reinterpret_cast<const char*>(rc.key.digest.data()), 8);
        absl::StrAppend(&s, " digest ", AbslView(HexEncode(raw)));
      }
      return s;
    }
    case CommandKind::kBatch: {
      const auto& bc = static_cast<const BatchCommand&>(command);
      size_t found = 0;
      size_t failed = 0;
      for (const BatchRecordResult& r : bc.results) {
        if (r.answered && r.result == ResultCode::kOk) {
          ++found;
        } else if (!r.answered || (r.result != ResultCode::kRecordNotFound &&
                                   r.result != ResultCode::kFilteredOut)) {
          ++failed;
        }
      }
      return absl::StrCat(" of ", bc.keys.size(), " keys in ", bc.ns_sets.size(),
                          " namespace/set(s): ", found, " found, ", failed, " failed");
    }
    case CommandKind::kInfo: {
      const auto& ic = static_cast<const InfoCommand&>(command);
      std::string_view first = ic.request;
      first = first.substr(0, first.find('\n'));
      if (first.size() > 60) first = first.substr(0, 60);
      return absl::StrCat(" '", AbslView(first), "'");
    }
    case CommandKind::kQuery: {
      const auto& qc = static_cast<const QueryCommand&>(command);
      return absl::StrCat(" ", AbslView(qc.ns), "/", AbslView(qc.set), " task ", qc.task_id, ": ",
                          qc.records, " records");
    }
    case CommandKind::kConnect:
    case CommandKind::kQueryControl:
    case CommandKind::kStreamWake:
    case CommandKind::kAdmin:
      break;
  }
  return "";
}

int64_t Micros(int64_t from_ns, int64_t to_ns) {
  return from_ns > 0 && to_ns >= from_ns ? (to_ns - from_ns) / 1000 : 0;
}

}  // namespace

std::string DescribeCommand(const Command& command) {
  std::string outcome;
  if (!command.status.ok()) {
    outcome = absl::StrCat("failed (", absl::StatusCodeToString(command.status.code()), ": ",
                           command.status.message(), ")");
  } else if (command.result == ResultCode::kOk) {
    outcome = "ok";
  } else {
    outcome = absl::StrCat(AbslView(ResultCodeName(command.result)), " (",
                           ToInt(command.result), ")");
  }
  const CommandTimings& t = command.timings;
  std::string s = absl::StrCat(AbslView(KindName(command)), Subject(command));
  // A batch goes to several nodes; `node` would name only the last one.
  if (!command.node.empty() && command.kind() != CommandKind::kBatch) {
    absl::StrAppend(&s, " -> node ", AbslView(command.node));
  }
  absl::StrAppend(&s, ", ", outcome, " in ", Micros(t.submitted, t.completed), " us (queued ",
                  Micros(t.submitted, t.started), " us, attempts ", command.attempts,
                  command.in_doubt ? ", in doubt" : "", ")");
  return s;
}

void LogCommand(const Command& command) {
  LogQueue& queue = LogQueue::Global();
  if (!queue.Enabled(LogLevel::kDebug)) return;
  queue.Push(LogLevel::kDebug, DescribeCommand(command));
}

}  // namespace aerospike_py::client
