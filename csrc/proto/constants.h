// Numbers of the Aerospike wire protocol: proto types, AS_MSG info bits,
// field types, op types, particle types, batch flags and limits. Values and
// meanings are listed in docs/aerospike-wire-protocol.md of the shared
// reference; this file only names them. Used by proto/ and everything above.
#pragma once

#include <cstddef>
#include <cstdint>

namespace aerospike_py::proto {

inline constexpr uint8_t kProtoVersion = 2;
inline constexpr size_t kProtoHeaderSize = 8;
inline constexpr size_t kMsgHeaderSize = 22;
// The server and the official clients refuse bodies above 128 MiB.
inline constexpr uint64_t kMaxBodySize = 128ull * 1024 * 1024;
inline constexpr uint32_t kPartitions = 4096;
inline constexpr size_t kDigestSize = 20;
inline constexpr size_t kMaxNamespaceLen = 31;
inline constexpr size_t kMaxSetLen = 63;
inline constexpr size_t kMaxBinNameLen = 15;
// Clients compress a request only when it is larger than this.
inline constexpr size_t kCompressThreshold = 128;

enum class ProtoType : uint8_t {
  kInfo = 1,
  kAdmin = 2,
  kMessage = 3,
  kCompressed = 4,
};

namespace info1 {
inline constexpr uint8_t kRead = 0x01;
inline constexpr uint8_t kGetAll = 0x02;
inline constexpr uint8_t kShortQuery = 0x04;
inline constexpr uint8_t kBatch = 0x08;
inline constexpr uint8_t kXdr = 0x10;
inline constexpr uint8_t kNoBinData = 0x20;
inline constexpr uint8_t kReadModeApAll = 0x40;
inline constexpr uint8_t kCompressResponse = 0x80;
}  // namespace info1

namespace info2 {
inline constexpr uint8_t kWrite = 0x01;
inline constexpr uint8_t kDelete = 0x02;
inline constexpr uint8_t kGeneration = 0x04;
inline constexpr uint8_t kGenerationGt = 0x08;
inline constexpr uint8_t kDurableDelete = 0x10;
inline constexpr uint8_t kCreateOnly = 0x20;
inline constexpr uint8_t kRelaxApLongQuery = 0x40;
inline constexpr uint8_t kRespondAllOps = 0x80;
}  // namespace info2

namespace info3 {
inline constexpr uint8_t kLast = 0x01;
inline constexpr uint8_t kCommitMaster = 0x02;
inline constexpr uint8_t kPartitionDone = 0x04;
inline constexpr uint8_t kUpdateOnly = 0x08;
inline constexpr uint8_t kCreateOrReplace = 0x10;
inline constexpr uint8_t kReplaceOnly = 0x20;
inline constexpr uint8_t kScReadType = 0x40;
inline constexpr uint8_t kScReadRelax = 0x80;
}  // namespace info3

namespace info4 {
inline constexpr uint8_t kMrtVerifyRead = 0x01;
inline constexpr uint8_t kMrtRollForward = 0x02;
inline constexpr uint8_t kMrtRollBack = 0x04;
inline constexpr uint8_t kMrtOnLockingOnly = 0x10;
}  // namespace info4

enum class FieldType : uint8_t {
  kNamespace = 0,
  kSet = 1,
  kKey = 2,
  kRecordVersion = 3,
  kDigest = 4,
  kMrtId = 5,
  kMrtDeadline = 6,
  kTaskId = 7,
  kSocketTimeout = 9,
  kRecordsPerSecond = 10,
  kPidArray = 11,
  kDigestArray = 12,
  kMaxRecords = 13,
  kBvalArray = 15,
  kIndexName = 21,
  kIndexRange = 22,
  kIndexContext = 23,
  kIndexExpression = 24,
  kIndexType = 26,
  kUdfPackageName = 30,
  kUdfFunction = 31,
  kUdfArgList = 32,
  kUdfOp = 33,
  kQueryBinList = 40,
  kBatchIndex = 41,
  kBatchIndexWithSet = 42,
  kFilterExpression = 43,
  kErrorDetails = 45,
};

enum class OpType : uint8_t {
  kRead = 1,
  kWrite = 2,
  kCdtRead = 3,
  kCdtModify = 4,
  kIncr = 5,
  kExpRead = 7,
  kExpModify = 8,
  kAppend = 9,
  kPrepend = 10,
  kTouch = 11,
  kBitRead = 12,
  kBitModify = 13,
  kDelete = 14,
  kHllRead = 15,
  kHllModify = 16,
};

// True for ops the server treats as reads (they produce a result without
// RESPOND_ALL_OPS).
inline constexpr bool IsReadOp(OpType op) {
  return op == OpType::kRead || op == OpType::kCdtRead ||
         op == OpType::kExpRead || op == OpType::kBitRead ||
         op == OpType::kHllRead;
}

enum class ParticleType : uint8_t {
  kNull = 0,
  kInteger = 1,
  kFloat = 2,
  kString = 3,
  kBlob = 4,
  kJavaBlob = 7,
  kCSharpBlob = 8,
  kPythonBlob = 9,
  kRubyBlob = 10,
  kPhpBlob = 11,
  kErlangBlob = 12,
  kVector = 16,
  kBool = 17,
  kHll = 18,
  kMap = 19,
  kList = 20,
  kGeoJson = 23,
};

inline constexpr bool IsLanguageBlob(uint8_t particle_type) {
  return particle_type >= 7 && particle_type <= 12;
}

namespace batch_flags {
inline constexpr uint8_t kInline = 0x01;
inline constexpr uint8_t kInlineSsd = 0x02;
inline constexpr uint8_t kRespondAllKeys = 0x04;
inline constexpr uint8_t kReportErrorRecord = 0x08;
}  // namespace batch_flags

namespace batch_row_flags {
inline constexpr uint8_t kRepeat = 0x01;
inline constexpr uint8_t kHasInfo = 0x02;
inline constexpr uint8_t kHasGeneration = 0x04;
inline constexpr uint8_t kHasTtl = 0x08;
inline constexpr uint8_t kHasInfo4 = 0x10;
}  // namespace batch_row_flags

// record_ttl values with a special meaning on writes.
inline constexpr uint32_t kTtlNamespaceDefault = 0;
inline constexpr uint32_t kTtlNeverExpire = 0xFFFFFFFF;
inline constexpr uint32_t kTtlDontUpdate = 0xFFFFFFFE;

// Seconds between the Unix epoch and the server's epoch (2010-01-01 UTC).
inline constexpr int64_t kCitrusleafEpoch = 1262304000;

}  // namespace aerospike_py::proto
