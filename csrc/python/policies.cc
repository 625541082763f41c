#include "python/policies.h"

#include <cstring>
#include <string_view>

#include "common/strings.h"
#include "proto/constants.h"
#include "python/errors.h"
#include "python/expressions.h"

namespace aerospike_py::python {
namespace {

enum Field : uint8_t {
  kSocketTimeout, kTotalTimeout, kMaxRetries, kSleepBetweenRetries, kTimeoutDelay,
  kFilterExpression, kReplica, kReadModeAp, kReadTouchTtlPercent, kCompress,
  kDurableDelete, kKey, kExists, kGen, kCommitLevel, kTtl,
  kAllowInline, kAllowInlineSsd, kRespondAllKeys, kConcurrency, kTimeout,
  // Query/scan keys (partition_filter is read by aerospike_py.query).
  kMaxRecords, kRecordsPerSecond, kMaxConcurrentNodes, kRecordQueueSize, kExpectedDuration,
  kIncludeBinData, kIgnoredAny,
  // Serving (issue 17): coalesced gets, hedged reads.
  kCoalesce, kHedgeFraction, kHedgePercentile,
};

constexpr uint16_t Bit(PolicyKind k) { return static_cast<uint16_t>(1u << static_cast<int>(k)); }
constexpr uint16_t R = Bit(PolicyKind::kRead);
constexpr uint16_t W = Bit(PolicyKind::kWrite);
constexpr uint16_t B = Bit(PolicyKind::kBatch);
constexpr uint16_t I = Bit(PolicyKind::kInfo);
constexpr uint16_t M = Bit(PolicyKind::kMeta);
constexpr uint16_t BR = Bit(PolicyKind::kBatchRead);
constexpr uint16_t BW = Bit(PolicyKind::kBatchWrite);
constexpr uint16_t BD = Bit(PolicyKind::kBatchDelete);
constexpr uint16_t BU = Bit(PolicyKind::kBatchUdf);
constexpr uint16_t DM = Bit(PolicyKind::kDeleteMeta);
constexpr uint16_t Q = Bit(PolicyKind::kQuery);
constexpr uint16_t S = Bit(PolicyKind::kScan);

struct KeyInfo {
  std::string_view name;
  Field field;
  uint16_t kinds;
};

constexpr KeyInfo kKeys[] = {
    {"socket_timeout", kSocketTimeout, R | W | B | Q | S},
    {"total_timeout", kTotalTimeout, R | W | B | Q | S},
    {"max_retries", kMaxRetries, R | W | B | Q | S},
    {"sleep_between_retries", kSleepBetweenRetries, R | W | B | Q | S},
    {"timeout_delay", kTimeoutDelay, R | W | B | Q | S},
    {"filter_expression", kFilterExpression, R | W | B | BR | BW | BD | BU | Q | S},
    {"replica", kReplica, R | B | Q | S},
    {"read_mode_ap", kReadModeAp, R | W | B | BR | Q | S},
    {"read_touch_ttl_percent", kReadTouchTtlPercent, R | W | B | BR | Q},
    {"compress", kCompress, R | W | B | Q | S},
    {"coalesce", kCoalesce, R | B},
    {"hedge_fraction", kHedgeFraction, R | B},
    {"hedge_percentile", kHedgePercentile, R | B},
    {"durable_delete", kDurableDelete, W | B | M | BW | BD | BU | DM | S},
    {"key", kKey, W | B | M | BW | BD | BU | DM},
    {"exists", kExists, W | B | M | BW},
    {"gen", kGen, W | B | M | BW | BD | DM},
    {"commit_level", kCommitLevel, W | B | M | BW | BD | BU | DM},
    {"ttl", kTtl, W | B | M | BW | BU | S},
    {"allow_inline", kAllowInline, B},
    {"allow_inline_ssd", kAllowInlineSsd, B},
    {"respond_all_keys", kRespondAllKeys, B},
    {"concurrency", kConcurrency, B},
    {"timeout", kTimeout, I},
    {"max_records", kMaxRecords, Q | S},
    {"records_per_second", kRecordsPerSecond, Q | S},
    {"max_concurrent_nodes", kMaxConcurrentNodes, Q},
    {"record_queue_size", kRecordQueueSize, Q},
    {"expected_duration", kExpectedDuration, Q},
    {"include_bin_data", kIncludeBinData, Q},
    {"partition_filter", kIgnoredAny, Q | S},
};

const char* KindName(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kRead: return "read policy";
    case PolicyKind::kWrite: return "write policy";
    case PolicyKind::kBatch: return "batch policy";
    case PolicyKind::kInfo: return "info policy";
    case PolicyKind::kMeta: return "meta";
    case PolicyKind::kBatchRead: return "batch read policy";
    case PolicyKind::kBatchWrite: return "batch write policy";
    case PolicyKind::kBatchDelete: return "batch delete policy";
    case PolicyKind::kBatchUdf: return "batch apply policy";
    case PolicyKind::kDeleteMeta: return "batch delete meta";
    case PolicyKind::kQuery: return "query policy";
    case PolicyKind::kScan: return "scan policy";
  }
  return "policy";
}

bool ReadInt(ModuleState* st, PyObject* v, const char* what, const char* key, int64_t lo,
             int64_t hi, int64_t* out) {
  if (!PyLong_Check(v) || PyBool_Check(v)) {
    RaiseInvalidArg(st, "%s: '%s' must be int, not %.100s", what, key, Py_TYPE(v)->tp_name);
    return false;
  }
  int overflow = 0;
  long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
  if (x == -1 && PyErr_Occurred()) return false;
  if (overflow != 0 || x < lo || x > hi) {
    RaiseInvalidArg(st, "%s: '%s' is %R, expected %lld..%lld", what, key, v,
                    static_cast<long long>(lo), static_cast<long long>(hi));
    return false;
  }
  *out = x;
  return true;
}

bool ReadU32(ModuleState* st, PyObject* v, const char* what, const char* key, uint32_t* out) {
  int64_t x;
  if (!ReadInt(st, v, what, key, 0, UINT32_MAX, &x)) return false;
  *out = static_cast<uint32_t>(x);
  return true;
}

bool ReadBool(ModuleState* st, PyObject* v, const char* what, const char* key, bool* out) {
  if (PyBool_Check(v)) {
    *out = v == Py_True;
    return true;
  }
  if (PyLong_Check(v)) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow == 0 && (x == 0 || x == 1)) {
      *out = x == 1;
      return true;
    }
    if (PyErr_Occurred()) return false;
  }
  RaiseInvalidArg(st, "%s: '%s' must be bool, not %R", what, key, v);
  return false;
}

// A number (int or float, not bool) in [0, limit); `expected` names it in
// the errors ("a fraction in [0, 1)").
bool ReadNumberBelow(ModuleState* st, PyObject* v, const char* what, const char* key,
                     double limit, const char* expected, double* out) {
  if (PyBool_Check(v) || (!PyFloat_Check(v) && !PyLong_Check(v))) {
    RaiseInvalidArg(st, "%s: '%s' must be %s, not %.100s", what, key, expected,
                    Py_TYPE(v)->tp_name);
    return false;
  }
  const double x = PyFloat_AsDouble(v);
  if (x == -1.0 && PyErr_Occurred()) return false;
  if (!(x >= 0.0 && x < limit)) {
    RaiseInvalidArg(st, "%s: '%s' is %R, expected %s", what, key, v, expected);
    return false;
  }
  *out = x;
  return true;
}

// A hedging threshold: a fraction of the read's budget in [0, 1) (0: no
// hedging), kept in per mille.
bool ReadHedgeFraction(ModuleState* st, PyObject* v, const char* what, const char* key,
                       uint32_t* permille) {
  double x = 0;
  if (!ReadNumberBelow(st, v, what, key, 1.0, "a fraction in [0, 1)", &x)) return false;
  *permille = static_cast<uint32_t>(x * 1000.0 + 0.5);
  if (x > 0.0 && *permille == 0) *permille = 1;
  return true;
}

// An adaptive hedging percentile: 0 (off) or in (0, 100).
bool ReadHedgePercentile(ModuleState* st, PyObject* v, const char* what, const char* key,
                         double* percentile) {
  return ReadNumberBelow(st, v, what, key, 100.0, "a percentile in [0, 100) (0: off)",
                         percentile);
}

bool ReadString(ModuleState* st, PyObject* v, const char* what, const char* key,
                std::string* out) {
  if (!PyUnicode_Check(v)) {
    RaiseInvalidArg(st, "%s: '%s' must be str, not %.100s", what, key, Py_TYPE(v)->tp_name);
    return false;
  }
  Py_ssize_t len = 0;
  const char* data = PyUnicode_AsUTF8AndSize(v, &len);
  if (data == nullptr) {
    ConvertPendingToInvalidArg(st, what);
    return false;
  }
  out->assign(data, static_cast<size_t>(len));
  return true;
}

bool ApplyField(ModuleState* st, Field field, PyObject* v, PolicyKind kind, const char* what,
                const char* key, OpPolicy* p) {
  int64_t x = 0;
  switch (field) {
    case kSocketTimeout: return ReadU32(st, v, what, key, &p->base.socket_timeout_ms);
    case kTotalTimeout: return ReadU32(st, v, what, key, &p->base.total_timeout_ms);
    case kMaxRetries: return ReadU32(st, v, what, key, &p->base.max_retries);
    case kSleepBetweenRetries: return ReadU32(st, v, what, key, &p->base.sleep_between_retries_ms);
    case kTimeoutDelay: return ReadU32(st, v, what, key, &p->base.timeout_delay_ms);
    case kFilterExpression: return ReadExpressionBytes(st, v, what, &p->filter_expression);
    case kReplica:
      if (!ReadInt(st, v, what, key, 0, 3, &x)) return false;
      p->base.replica = static_cast<client::Replica>(x);
      return true;
    case kReadModeAp:
      if (!ReadInt(st, v, what, key, 0, 1, &x)) return false;
      p->base.read_mode_ap = static_cast<client::ReadModeAp>(x);
      return true;
    case kReadTouchTtlPercent:
      if (!ReadInt(st, v, what, key, -1, 100, &x)) return false;
      p->read_touch_ttl_percent = static_cast<int32_t>(x);
      return true;
    case kCompress: return ReadBool(st, v, what, key, &p->base.compress);
    case kCoalesce: return ReadBool(st, v, what, key, &p->coalesce);
    case kHedgeFraction: return ReadHedgeFraction(st, v, what, key, &p->base.hedge_permille);
    case kHedgePercentile:
      return ReadHedgePercentile(st, v, what, key, &p->base.hedge_percentile);
    case kDurableDelete: return ReadBool(st, v, what, key, &p->durable_delete);
    case kKey:
      if (!ReadInt(st, v, what, key, 0, 1, &x)) return false;
      p->send_key = x == 1;
      return true;
    case kExists:
      if (!ReadInt(st, v, what, key, 0, 4, &x)) return false;
      p->exists = static_cast<uint8_t>(x);
      return true;
    case kGen:
      if (kind == PolicyKind::kMeta || kind == PolicyKind::kDeleteMeta) {
        // meta["gen"] is the expected generation: it implies POLICY_GEN_EQ.
        if (!ReadInt(st, v, what, key, 0, UINT32_MAX, &x)) return false;
        p->generation = static_cast<uint32_t>(x);
        if (p->gen_policy == 0) p->gen_policy = 1;
        return true;
      }
      if (!ReadInt(st, v, what, key, 0, 2, &x)) return false;
      p->gen_policy = static_cast<uint8_t>(x);
      return true;
    case kCommitLevel:
      if (!ReadInt(st, v, what, key, 0, 1, &x)) return false;
      p->commit_master = x == 1;
      return true;
    case kTtl:
      // 0 namespace default, -1 never expire, -2 keep, -3 client default.
      if (!ReadInt(st, v, what, key, -3, int64_t{UINT32_MAX} - 2, &x)) return false;
      p->ttl = x;
      return true;
    case kAllowInline: return ReadBool(st, v, what, key, &p->allow_inline);
    case kAllowInlineSsd: return ReadBool(st, v, what, key, &p->allow_inline_ssd);
    case kRespondAllKeys: return ReadBool(st, v, what, key, &p->respond_all_keys);
    case kConcurrency:
      if (!ReadInt(st, v, what, key, 0, 1, &x)) return false;
      p->concurrent = x == 1;
      return true;
    case kTimeout: return ReadU32(st, v, what, key, &p->info_timeout_ms);
    case kMaxRecords:
      if (!ReadInt(st, v, what, key, 0, INT64_MAX, &x)) return false;
      p->max_records = static_cast<uint64_t>(x);
      return true;
    case kRecordsPerSecond: return ReadU32(st, v, what, key, &p->records_per_second);
    case kMaxConcurrentNodes: return ReadU32(st, v, what, key, &p->max_concurrent_nodes);
    case kRecordQueueSize:
      if (!ReadInt(st, v, what, key, 1, 1 << 20, &x)) return false;
      p->record_queue_size = static_cast<uint32_t>(x);
      return true;
    case kExpectedDuration:
      if (!ReadInt(st, v, what, key, 0, 2, &x)) return false;
      p->expected_duration = static_cast<uint8_t>(x);
      return true;
    case kIncludeBinData: return ReadBool(st, v, what, key, &p->include_bin_data);
    case kIgnoredAny: return true;
  }
  return true;
}

}  // namespace

ClientPolicies::ClientPolicies() {
  // aerospike-py: reads retry twice, writes never (a retried write may be
  // applied twice).
  read.base.max_retries = 2;
  write.base.max_retries = 0;
  operate.base.max_retries = 0;
  remove.base.max_retries = 0;
  apply.base.max_retries = 0;
  batch.base.max_retries = 2;
  info.info_timeout_ms = 1000;
  // Scans and queries stream for as long as they take: no total timeout;
  // the socket timeout bounds each wait for the next frame. Partitions a
  // node could not serve are retried on the next replica.
  for (OpPolicy* q : {&query, &scan}) {
    q->base.total_timeout_ms = 0;
    q->base.socket_timeout_ms = 30000;
    q->base.max_retries = 5;
  }
}

bool ApplyPolicyDict(ModuleState* st, PyObject* dict, PolicyKind kind, const char* what,
                     OpPolicy* p) {
  if (dict == nullptr) return true;
  if (!PyDict_Check(dict)) {
    RaiseInvalidArg(st, "%s must be a dict, not %.100s", what, Py_TYPE(dict)->tp_name);
    return false;
  }
  const uint16_t kind_bit = Bit(kind);
  Py_ssize_t pos = 0;
  PyObject *k, *v;
  while (PyDict_Next(dict, &pos, &k, &v)) {
    if (!PyUnicode_Check(k)) {
      RaiseInvalidArg(st, "%s: keys must be str, got %R", what, k);
      return false;
    }
    Py_ssize_t len = 0;
    const char* name = PyUnicode_AsUTF8AndSize(k, &len);
    if (name == nullptr) {
      ConvertPendingToInvalidArg(st, what);
      return false;
    }
    const std::string_view sv(name, static_cast<size_t>(len));
    const KeyInfo* info = nullptr;
    for (const KeyInfo& ki : kKeys) {
      if (ki.name == sv) {
        info = &ki;
        break;
      }
    }
    // aerospike-py reads the keys it knows and ignores the rest, so code
    // written for it may pass any key: never refuse one. A key of another
    // policy kind ('key' in a read policy) means nothing here and is
    // ignored; a key no policy has is most likely a typo and gets a
    // UserWarning (shown once per call site by default).
    if (info == nullptr) {
      if (PyErr_WarnFormat(PyExc_UserWarning, 1, "%s: unknown key '%U' for a %s is ignored",
                           what, k, KindName(kind)) < 0) {
        return false;  // warnings turned into errors
      }
      continue;
    }
    if ((info->kinds & kind_bit) == 0) continue;
    if (!ApplyField(st, info->field, v, kind, what, name, p)) return false;
  }
  return true;
}

uint32_t WriteTtl(const OpPolicy& p, const OpPolicy& client_default) {
  int64_t ttl = p.ttl == -3 ? client_default.ttl : p.ttl;
  switch (ttl) {
    case -3:
    case 0: return proto::kTtlNamespaceDefault;
    case -1: return proto::kTtlNeverExpire;
    case -2: return proto::kTtlDontUpdate;
    default: return static_cast<uint32_t>(ttl);
  }
}

void WriteFlags(const OpPolicy& p, uint8_t* info2, uint8_t* info3) {
  switch (p.exists) {
    case 1: *info3 |= proto::info3::kUpdateOnly; break;
    case 2: *info3 |= proto::info3::kCreateOrReplace; break;
    case 3: *info3 |= proto::info3::kReplaceOnly; break;
    case 4: *info2 |= proto::info2::kCreateOnly; break;
    default: break;
  }
  if (p.gen_policy == 1) *info2 |= proto::info2::kGeneration;
  if (p.gen_policy == 2) *info2 |= proto::info2::kGenerationGt;
  if (p.durable_delete) *info2 |= proto::info2::kDurableDelete;
  if (p.commit_master) *info3 |= proto::info3::kCommitMaster;
}

// ---------------------------------------------------------------------------
// Client config.

namespace {

bool ParseHost(ModuleState* st, PyObject* item, client::Seed* seed) {
  if (PyUnicode_Check(item)) {
    std::string text;
    if (!ReadString(st, item, "config['hosts']", "host", &text)) return false;
    // "host", "host:port", "[v6]", "[v6]:port"
    std::string host = text;
    uint16_t port = 3000;
    size_t colon = std::string::npos;
    if (!text.empty() && text[0] == '[') {
      size_t close = text.find(']');
      if (close == std::string::npos) {
        RaiseInvalidArg(st, "config['hosts']: bad host '%s'", text.c_str());
        return false;
      }
      host = text.substr(1, close - 1);
      if (close + 1 < text.size()) {
        if (text[close + 1] != ':') {
          RaiseInvalidArg(st, "config['hosts']: bad host '%s'", text.c_str());
          return false;
        }
        colon = close + 1;
      }
    } else {
      colon = text.rfind(':');
      if (colon != std::string::npos) host = text.substr(0, colon);
    }
    if (colon != std::string::npos) {
      if (!ParseInt(std::string_view(text).substr(colon + 1), &port) || port == 0) {
        RaiseInvalidArg(st, "config['hosts']: Invalid port in '%s'", text.c_str());
        return false;
      }
    }
    if (host.empty()) {
      RaiseInvalidArg(st, "config['hosts']: empty host in '%s'", text.c_str());
      return false;
    }
    seed->host = host;
    seed->port = port;
    return true;
  }
  if (!PyTuple_Check(item) && !PyList_Check(item)) {
    RaiseInvalidArg(st,
                    "config['hosts'] items must be (host, port) tuples or 'host:port' "
                    "strings, not %.100s",
                    Py_TYPE(item)->tp_name);
    return false;
  }
  Ref seq = Ref::Steal(PySequence_Tuple(item));
  if (!seq) return false;
  const Py_ssize_t n = PyTuple_GET_SIZE(seq.get());
  if (n < 1 || n > 3) {
    RaiseInvalidArg(st, "config['hosts'] items must be (host, port[, tls_name]), got %R", item);
    return false;
  }
  if (!ReadString(st, PyTuple_GET_ITEM(seq.get(), 0), "config['hosts']", "host", &seed->host)) {
    return false;
  }
  if (seed->host.empty()) {
    RaiseInvalidArg(st, "config['hosts']: empty host");
    return false;
  }
  seed->port = 3000;
  if (n >= 2) {
    int64_t port;
    if (!ReadInt(st, PyTuple_GET_ITEM(seq.get(), 1), "config['hosts']", "port", 1, 65535,
                 &port)) {
      return false;
    }
    seed->port = static_cast<uint16_t>(port);
  }
  if (n == 3 && PyTuple_GET_ITEM(seq.get(), 2) != Py_None) {
    if (!ReadString(st, PyTuple_GET_ITEM(seq.get(), 2), "config['hosts']", "tls_name",
                    &seed->tls_name)) {
      return false;
    }
  }
  return true;
}

bool ParseHosts(ModuleState* st, PyObject* hosts, client::ClientConfig* config) {
  if (PyUnicode_Check(hosts)) {
    // "h1:3000,h2:3000"
    Ref parts = Ref::Steal(PyUnicode_Split(hosts, Ref::Steal(PyUnicode_FromString(",")).get(), -1));
    if (!parts) return false;
    return ParseHosts(st, parts.get(), config);
  }
  if (!PyList_Check(hosts) && !PyTuple_Check(hosts)) {
    RaiseInvalidArg(st, "config['hosts'] must be a list, not %.100s", Py_TYPE(hosts)->tp_name);
    return false;
  }
  Ref seq = Ref::Steal(PySequence_Tuple(hosts));
  if (!seq) return false;
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(seq.get()); ++i) {
    client::Seed seed;
    if (!ParseHost(st, PyTuple_GET_ITEM(seq.get(), i), &seed)) return false;
    config->seeds.push_back(std::move(seed));
  }
  if (config->seeds.empty()) {
    RaiseInvalidArg(st, "config['hosts'] is empty");
    return false;
  }
  return true;
}

// config['tls'], named as the official client names it. Files are read
// when the client starts (connect()), where a bad one is a ParamError.
bool ParseTls(ModuleState* st, PyObject* tls, tls::TlsConfig* out) {
  if (tls == Py_None) return true;
  if (!PyDict_Check(tls)) {
    RaiseInvalidArg(st, "config['tls'] must be a dict, not %.100s", Py_TYPE(tls)->tp_name);
    return false;
  }
  const char* what = "config['tls']";
  Py_ssize_t pos = 0;
  PyObject *k, *v;
  while (PyDict_Next(tls, &pos, &k, &v)) {
    if (!PyUnicode_Check(k)) {
      RaiseInvalidArg(st, "config['tls'] keys must be str, got %R", k);
      return false;
    }
    const char* key = PyUnicode_AsUTF8(k);
    if (key == nullptr) return false;
    const std::string_view name(key);
    struct StringKey {
      std::string_view name;
      std::string tls::TlsConfig::*field;
    };
    static const StringKey kStrings[] = {
        {"cafile", &tls::TlsConfig::cafile},
        {"capath", &tls::TlsConfig::capath},
        {"protocols", &tls::TlsConfig::protocols},
        {"cipher_suite", &tls::TlsConfig::cipher_suite},
        {"certfile", &tls::TlsConfig::certfile},
        {"keyfile", &tls::TlsConfig::keyfile},
        {"keyfile_pw", &tls::TlsConfig::keyfile_pw},
        {"cert_blacklist", &tls::TlsConfig::cert_blacklist},
    };
    struct BoolKey {
      std::string_view name;
      bool tls::TlsConfig::*field;
    };
    static const BoolKey kBools[] = {
        {"enable", &tls::TlsConfig::enable},
        {"crl_check", &tls::TlsConfig::crl_check},
        {"crl_check_all", &tls::TlsConfig::crl_check_all},
        {"log_session_info", &tls::TlsConfig::log_session_info},
        {"for_login_only", &tls::TlsConfig::for_login_only},
    };
    bool known = false, ok = true;
    for (const StringKey& s : kStrings) {
      if (s.name != name) continue;
      known = true;
      if (v != Py_None) ok = ReadString(st, v, what, key, &(out->*s.field));
    }
    for (const BoolKey& b : kBools) {
      if (b.name != name) continue;
      known = true;
      ok = ReadBool(st, v, what, key, &(out->*b.field));
    }
    if (!known) {
      // Like every config key: ignored, with a warning (most likely a typo).
      if (PyErr_WarnFormat(PyExc_UserWarning, 1,
                           "config['tls']: unknown key '%s' is ignored (known: enable, cafile, "
                           "capath, protocols, cipher_suite, certfile, keyfile, keyfile_pw, "
                           "cert_blacklist, crl_check, crl_check_all, log_session_info, "
                           "for_login_only)",
                           key) < 0) {
        return false;
      }
      continue;
    }
    if (!ok) return false;
  }
  return true;
}

bool ParsePolicies(ModuleState* st, PyObject* dict, ClientPolicies* policies) {
  if (!PyDict_Check(dict)) {
    RaiseInvalidArg(st, "config['policies'] must be a dict, not %.100s", Py_TYPE(dict)->tp_name);
    return false;
  }
  struct Section {
    const char* name;
    PolicyKind kind;
    OpPolicy* target;
  };
  const Section sections[] = {
      {"read", PolicyKind::kRead, &policies->read},
      {"write", PolicyKind::kWrite, &policies->write},
      {"operate", PolicyKind::kWrite, &policies->operate},
      {"remove", PolicyKind::kWrite, &policies->remove},
      {"apply", PolicyKind::kWrite, &policies->apply},
      {"batch", PolicyKind::kBatch, &policies->batch},
      {"batch_read", PolicyKind::kBatchRead, &policies->batch_read},
      {"batch_write", PolicyKind::kBatchWrite, &policies->batch_write},
      {"batch_remove", PolicyKind::kBatchDelete, &policies->batch_remove},
      {"batch_apply", PolicyKind::kBatchUdf, &policies->batch_apply},
      {"query", PolicyKind::kQuery, &policies->query},
      {"scan", PolicyKind::kScan, &policies->scan},
      {"info", PolicyKind::kInfo, &policies->info},
      {"admin", PolicyKind::kInfo, &policies->info},
  };
  // "write" first: operate and remove start from the write defaults unless
  // they have their own section.
  PyObject* write = PyDict_GetItemString(dict, "write");
  if (write != nullptr) {
    if (!ApplyPolicyDict(st, write, PolicyKind::kWrite, "config['policies']['write']",
                         &policies->write)) {
      return false;
    }
    policies->operate = policies->write;
    policies->remove = policies->write;
    policies->apply = policies->write;
  }
  Py_ssize_t pos = 0;
  PyObject *k, *v;
  while (PyDict_Next(dict, &pos, &k, &v)) {
    // The official client keeps auth_mode and login_timeout_ms among its
    // policies; they are client settings here (the caller reads them).
    if (PyUnicode_Check(k) && (PyUnicode_CompareWithASCIIString(k, "auth_mode") == 0 ||
                               PyUnicode_CompareWithASCIIString(k, "login_timeout_ms") == 0)) {
      continue;
    }
    const Section* found = nullptr;
    for (const Section& s : sections) {
      if (PyUnicode_Check(k) && PyUnicode_CompareWithASCIIString(k, s.name) == 0) found = &s;
    }
    if (found == nullptr) {
      // Ignored, as aerospike-py does, but most likely a typo: say so.
      if (PyErr_WarnFormat(PyExc_UserWarning, 1,
                           "config['policies']: unknown section %R is ignored (known: read, "
                           "write, operate, remove, apply, batch, batch_read, batch_write, "
                           "batch_remove, batch_apply, query, scan, info, admin)",
                           k) < 0) {
        return false;
      }
      continue;
    }
    if (found->target == &policies->write) continue;
    std::string what = std::string("config['policies']['") + found->name + "']";
    if (!ApplyPolicyDict(st, v, found->kind, what.c_str(), found->target)) return false;
  }
  return true;
}

}  // namespace

bool ParseClientConfig(ModuleState* st, PyObject* dict, client::ClientConfig* config,
                       ClientPolicies* policies, std::string* hosts_error) {
  if (!PyDict_Check(dict)) {
    RaiseInvalidArg(st, "config must be a dict, not %.100s", Py_TYPE(dict)->tp_name);
    return false;
  }
  PyObject* hosts = PyDict_GetItemString(dict, "hosts");
  if (hosts == nullptr) {
    RaiseInvalidArg(st, "config needs 'hosts', e.g. {'hosts': [('127.0.0.1', 3000)]}");
    return false;
  }
  if (!ParseHosts(st, hosts, config)) {
    if (hosts_error == nullptr || !PyErr_ExceptionMatches(st->exc_invalid_arg)) return false;
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    Ref t = Ref::Steal(type), val = Ref::Steal(value), b = Ref::Steal(tb);
    Ref text = Ref::Steal(PyObject_GetAttrString(val.get(), "msg"));
    const char* utf8 = text ? PyUnicode_AsUTF8(text.get()) : nullptr;
    if (utf8 == nullptr) return false;
    *hosts_error = utf8;
    config->seeds.clear();
  }

  Py_ssize_t pos = 0;
  PyObject *k, *v;
  const char* what = "config";
  bool coalesce_gets = false, has_coalesce_gets = false, has_hedge = false;
  bool coalesce_batches = false, has_coalesce_batches = false;
  bool has_hedge_percentile = false;
  uint32_t hedge_permille = 0;
  double hedge_percentile = 0;
  while (PyDict_Next(dict, &pos, &k, &v)) {
    if (!PyUnicode_Check(k)) {
      RaiseInvalidArg(st, "config keys must be str, got %R", k);
      return false;
    }
    const char* key = PyUnicode_AsUTF8(k);
    if (key == nullptr) return false;
    const std::string_view name(key);
    int64_t x = 0;
    bool ok = true;
    if (name == "hosts") {
      continue;
    } else if (name == "cluster_name") {
      if (v != Py_None) ok = ReadString(st, v, what, key, &config->cluster_name);
    } else if (name == "user") {
      if (v != Py_None) ok = ReadString(st, v, what, key, &config->user);
    } else if (name == "password") {
      if (v != Py_None) ok = ReadString(st, v, what, key, &config->password);
    } else if (name == "auth_mode") {
      ok = ReadInt(st, v, what, key, 0, 2, &x);
      if (ok) config->auth_mode = static_cast<uint8_t>(x);
    } else if (name == "timeout") {
      ok = ReadU32(st, v, what, key, &config->connect_timeout_ms);
    } else if (name == "login_timeout_ms") {
      ok = ReadU32(st, v, what, key, &config->login_timeout_ms);
    } else if (name == "idle_timeout") {
      ok = ReadU32(st, v, what, key, &config->idle_timeout_ms);
    } else if (name == "max_conns_per_node") {
      ok = ReadInt(st, v, what, key, 1, UINT32_MAX, &x);
      config->max_conns_per_node = static_cast<uint32_t>(x);
    } else if (name == "min_conns_per_node") {
      ok = ReadU32(st, v, what, key, &config->min_conns_per_node);
    } else if (name == "conn_pools_per_node") {
      // One event thread owns every socket: there is no pool lock to split.
      ok = ReadInt(st, v, what, key, 1, 1024, &x);
    } else if (name == "tend_interval") {
      ok = ReadInt(st, v, what, key, 10, UINT32_MAX, &x);
      config->tend_interval_ms = static_cast<uint32_t>(x);
    } else if (name == "use_services_alternate") {
      ok = ReadBool(st, v, what, key, &config->use_services_alternate);
    } else if (name == "max_concurrent_operations") {
      ok = ReadU32(st, v, what, key, &config->max_concurrent_operations);
    } else if (name == "operation_queue_timeout_ms") {
      ok = ReadU32(st, v, what, key, &config->operation_queue_timeout_ms);
    } else if (name == "max_error_rate") {
      ok = ReadU32(st, v, what, key, &config->max_error_rate);
    } else if (name == "error_rate_window") {
      ok = ReadInt(st, v, what, key, 1, UINT32_MAX, &x);
      config->error_rate_window = static_cast<uint32_t>(x);
    } else if (name == "rack_aware") {
      ok = ReadBool(st, v, what, key, &config->rack_aware);
    } else if (name == "rack_id") {
      ok = ReadInt(st, v, what, key, 0, INT32_MAX, &x);
      if (ok) config->rack_ids = {static_cast<int32_t>(x)};
    } else if (name == "rack_ids") {
      if (!PyList_Check(v) && !PyTuple_Check(v)) {
        RaiseInvalidArg(st, "config: 'rack_ids' must be a list of int");
        return false;
      }
      config->rack_ids.clear();
      for (Py_ssize_t i = 0; ok && i < PySequence_Fast_GET_SIZE(v); ++i) {
        ok = ReadInt(st, PySequence_Fast_GET_ITEM(v, i), what, key, 0, INT32_MAX, &x);
        if (ok) config->rack_ids.push_back(static_cast<int32_t>(x));
      }
    } else if (name == "coalesce_gets") {
      // Serving (issue 17): the read policy's default for 'coalesce'.
      ok = ReadBool(st, v, what, key, &coalesce_gets);
      has_coalesce_gets = ok;
    } else if (name == "coalesce_batches") {
      // The batch policy's default for 'coalesce'.
      ok = ReadBool(st, v, what, key, &coalesce_batches);
      has_coalesce_batches = ok;
    } else if (name == "coalesce_window_us") {
      ok = ReadInt(st, v, what, key, 0, 10000, &x);
      if (ok) config->coalesce_window_us = static_cast<uint32_t>(x);
    } else if (name == "hedge_reads") {
      // Serving (issue 17): the read policy's default for 'hedge_fraction'.
      ok = ReadHedgeFraction(st, v, what, key, &hedge_permille);
      has_hedge = ok;
    } else if (name == "hedge_percentile") {
      // The read policy's default for 'hedge_percentile'.
      ok = ReadHedgePercentile(st, v, what, key, &hedge_percentile);
      has_hedge_percentile = ok;
    } else if (name == "app_id") {
      ok = ReadString(st, v, what, key, &config->app_id);
    } else if (name == "policies") {
      ok = ParsePolicies(st, v, policies);
      // The official client's spelling and numbering:
      // config['policies']['auth_mode'] = AUTH_INTERNAL (0), AUTH_EXTERNAL
      // (1), AUTH_EXTERNAL_INSECURE (2), AUTH_PKI (3).
      if (ok) {
        if (PyObject* mode = PyDict_GetItemString(v, "auth_mode")) {
          ok = ReadInt(st, mode, "config['policies']", "auth_mode", 0, 3, &x);
          if (ok) {
            config->auth_mode = static_cast<uint8_t>(x == 3 ? 2 : x == 2 ? 1 : x);
            config->external_insecure = x == 2;
          }
        }
      }
      if (ok) {
        if (PyObject* t = PyDict_GetItemString(v, "login_timeout_ms")) {
          ok = ReadU32(st, t, "config['policies']", "login_timeout_ms", &config->login_timeout_ms);
        }
      }
    } else if (name == "tls") {
      ok = ParseTls(st, v, &config->tls);
    } else if (PyErr_WarnFormat(PyExc_UserWarning, 1, "config: unknown key '%s' is ignored",
                                key) < 0) {
      return false;  // aerospike-py ignores keys it does not know: warn, never refuse
    }
    if (!ok) return false;
  }
  if (has_coalesce_gets) policies->read.coalesce = coalesce_gets;
  if (has_coalesce_batches) policies->batch.coalesce = coalesce_batches;
  if (has_hedge) policies->read.base.hedge_permille = hedge_permille;
  if (has_hedge_percentile) policies->read.base.hedge_percentile = hedge_percentile;
  return true;
}

}  // namespace aerospike_py::python
