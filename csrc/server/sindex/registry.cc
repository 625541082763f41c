#include "server/sindex/registry.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/strings.h"
#include "server/sindex/display.h"

namespace aerospike_py::server::sindex {
namespace {

// The real server keeps at most this many index definitions.
constexpr size_t kMaxIndexes = 256;
constexpr int kSindexFound = 200;
constexpr int kSindexNotFound = 201;
constexpr int kSindexMaxCount = 206;

uint64_t NowMs() { return NowUnixNanos() / 1000000; }

std::string Err(int code, std::string_view message) {
  return absl::StrCat("ERROR:", code, ":", AbslView(message));
}

}  // namespace

Registry::Registry(Store* store) : store_(store), start_ms_(NowMs()) {
  for (auto& ns : store_->namespaces()) ns->set_observer(this);
}

std::string Registry::Create(std::string_view params) {
  Definition def;
  std::string error;
  if (!ParseCreate(params, &def, &error)) return error;
  if (def.set_index) return CreateSetIndex(std::move(def));
  // An unknown namespace is accepted and nothing is created (the real
  // server's system metadata skips definitions of namespaces it lacks).
  if (store_->Find(def.ns) == nullptr) return "ok";
  if (FindSetIndex(def.ns, def.name) != nullptr) {
    return Err(kSindexFound, "'indexname' already exists with different definition");
  }
  Index* same_name = Find(def.ns, def.name);
  if (same_name != nullptr) {
    if (same_name->def().SameDefinition(def)) return "ok";
    return Err(kSindexFound, "'indexname' already exists with different definition");
  }
  // The real server keys indexes by definition: the same definition under
  // a new name renames the index.
  for (auto& index : indexes_) {
    if (index->def().SameDefinition(def)) {
      Definition renamed = index->def();
      renamed.name = def.name;
      auto fresh = std::make_unique<Index>(std::move(renamed));
      fresh->created_ms = NowMs();
      index = std::move(fresh);  // rebuilt under its new name
      StartBuild();
      return "ok";
    }
  }
  if (indexes_.size() >= kMaxIndexes) {
    return Err(kSindexMaxCount, "already at sindex definition limit");
  }
  auto index = std::make_unique<Index>(std::move(def));
  index->created_ms = NowMs();
  indexes_.push_back(std::move(index));
  StartBuild();
  return "ok";
}

// The real server checks the namespace, then makes the set (it shows in the
// `sets` info from then on), then compares names across both kinds of index.
std::string Registry::CreateSetIndex(Definition def) {
  Namespace* ns = store_->Find(def.ns);
  if (ns == nullptr) return Err(4, "namespace not found");
  if (!ns->CanUseSet(def.set)) return Err(4, "failed to get/create set");
  ns->SetId(def.set);
  const Definition* same_name = FindSetIndex(def.ns, def.name);
  if (same_name != nullptr && same_name->set == def.set) return "ok";
  if (same_name != nullptr || Find(def.ns, def.name) != nullptr) {
    return Err(kSindexFound, "'indexname' already exists with different definition");
  }
  for (Definition& existing : set_indexes_) {
    if (existing.ns == def.ns && existing.set == def.set) {
      existing.name = std::move(def.name);  // renamed
      return "ok";
    }
  }
  set_indexes_.push_back(std::move(def));
  return "ok";
}

const Definition* Registry::FindSetIndex(std::string_view ns, std::string_view name) const {
  for (const Definition& d : set_indexes_) {
    if (d.ns == ns && d.name == name) return &d;
  }
  return nullptr;
}

bool Registry::SetIndexed(std::string_view ns, std::string_view set) const {
  return std::any_of(set_indexes_.begin(), set_indexes_.end(),
                     [&](const Definition& d) { return d.ns == ns && d.set == set; });
}

// entries: the set's records; used_bytes: 16 per record of every
// set-indexed set of the namespace (the real server's tree element size).
std::string Registry::SetIndexStats(const Definition& def) const {
  const Namespace* ns = store_->Find(def.ns);
  auto objects = [&](std::string_view set) -> uint64_t {
    const int id = ns == nullptr ? -1 : ns->FindSetId(set);
    return id < 0 ? 0 : ns->sets()[static_cast<size_t>(id)].objects;
  };
  uint64_t indexed = 0;
  for (const Definition& d : set_indexes_) {
    if (d.ns == def.ns) indexed += objects(d.set);
  }
  return absl::StrCat("entries=", objects(def.set), ";used_bytes=", indexed * 16, ";load_pct=100");
}

// The real server's sindex-delete, -exists and -stat answer a missing or
// empty 'indexname' with an error and then carry on (a bool compared with
// an enum), so whatever follows is appended to the error.
std::string Registry::NameError(std::string_view params, std::string_view* name) {
  bool has = false;
  *name = InfoParam(params, "indexname", &has);
  if (!has) return Err(4, "missing 'indexname'");
  if (name->empty()) return Err(4, "missing 'indexname' value");
  if (name->size() > 63) {
    *name = std::string_view();
    return Err(4, "'indexname' value too long");
  }
  return "";
}

std::string Registry::NamespaceError(std::string_view params, bool must_exist,
                                     std::string_view* ns) const {
  bool has = false;
  *ns = InfoParam(params, "namespace", &has);
  if (!has) return Err(20, "missing 'namespace'");
  if (ns->empty()) return Err(20, "missing 'namespace' value");
  if (ns->size() > 31) return Err(20, "'namespace' value too long");
  if (must_exist && store_->Find(*ns) == nullptr) return Err(20, "namespace not found on node");
  return "";
}

std::string Registry::Delete(std::string_view params) {
  std::string_view name, ns;
  std::string out = NameError(params, &name);
  std::string ns_error = NamespaceError(params, false, &ns);
  if (!ns_error.empty()) return out + ns_error;
  if (!out.empty()) return out + "ok";
  auto it = std::find_if(indexes_.begin(), indexes_.end(), [&](const auto& i) {
    return i->def().ns == ns && i->def().name == name;
  });
  if (it != indexes_.end()) indexes_.erase(it);
  set_indexes_.erase(std::remove_if(set_indexes_.begin(), set_indexes_.end(),
                                    [&](const Definition& d) {
                                      return d.ns == ns && d.name == name;
                                    }),
                     set_indexes_.end());
  return "ok";  // dropping an index that does not exist is not an error
}

namespace {

// Without b64=true, the real server shows the context and the expression
// in its display syntax.
std::string ContextText(const Definition& d, bool b64) {
  if (d.ctx.empty()) return "null";
  return b64 ? d.ctx_b64 : DisplayContext(d.ctx);
}

std::string ExpText(const Definition& d, bool b64) {
  if (d.exp.empty()) return "null";
  if (b64) return d.exp_b64;
  // Calls (CDT, bit, HLL operations) are not modelled: their base64 shows.
  return DisplayExpression(d.exp).value_or(d.exp_b64);
}

}  // namespace

std::string Registry::List(std::string_view params, bool set_indexes) const {
  // The real server answers the secondary indexes, then ';' and its set
  // indexes (a bad namespace errs in both halves; with set indexes only, the
  // answer starts with the ';').
  bool has_ns = false;
  std::string_view ns = InfoParam(params, "namespace", &has_ns);
  if (has_ns) {
    std::string ns_error;
    if (ns.empty()) {
      ns_error = Err(20, "missing 'namespace' value");
    } else if (ns.size() > 127) {
      ns_error = Err(20, "'namespace' value too long");
    } else if (store_->Find(ns) == nullptr) {
      ns_error = Err(20, "namespace not found on node");
    }
    if (!ns_error.empty()) return absl::StrCat(ns_error, ";", ns_error);
  }
  bool has_b64 = false;
  std::string_view b64 = InfoParam(params, "b64", &has_b64);
  if (has_b64 && b64.empty()) return Err(4, "missing 'b64' value");
  if (has_b64 && b64 != "true" && b64 != "false") return Err(4, "bad b64");
  const bool b64_on = has_b64 && b64 == "true";
  std::string out;
  for (const auto& index : indexes_) {
    const Definition& d = index->def();
    if (has_ns && d.ns != ns) continue;
    absl::StrAppend(&out, "ns=", d.ns, ":indexname=", d.name,
                    ":set=", d.set.empty() ? "null" : d.set,
                    ":bin=", d.bin.empty() ? "null" : d.bin,
                    ":type=", AbslView(KeyTypeName(d.key_type)),
                    ":indextype=", AbslView(CollectionName(d.collection)),
                    ":context=", ContextText(d, b64_on), ":exp=", ExpText(d, b64_on),
                    index->error ? ":state=ERROR" : index->readable() ? ":state=RW" : ":state=WO",
                    ";");
  }
  if (!out.empty()) out.pop_back();
  if (!set_indexes) return out;
  std::string sets;
  for (const Definition& d : set_indexes_) {
    if (has_ns && d.ns != ns) continue;
    absl::StrAppend(&sets, ";ns=", d.ns, ":indexname=", d.name, ":set=", d.set,
                    ":indextype=set");
  }
  return out + sets;
}

std::string Registry::Exists(std::string_view params) const {
  std::string_view name, ns;
  std::string out = NameError(params, &name);
  std::string ns_error = NamespaceError(params, true, &ns);
  if (!ns_error.empty()) return out + ns_error;
  if (!out.empty()) return out + "false";
  for (const auto& index : indexes_) {
    if (index->def().ns == ns && index->def().name == name) return "true";
  }
  return FindSetIndex(ns, name) != nullptr ? "true" : "false";
}

namespace {

constexpr uint64_t kCardinalityPeriodMs = 3600 * 1000;

std::string StatsOf(const Index& index, uint64_t start_ms) {
  const uint64_t entries = index.entries();
  // The real server reports its b-tree arena, allocated in 16 MiB stages
  // (one from the start).
  constexpr uint64_t kStage = 16u << 20;
  const uint64_t used = std::max<uint64_t>(1, (entries * 48 + kStage - 1) / kStage) * kStage;
  // Its cardinality thread wakes hourly from the server's start.
  const uint64_t now = NowMs();
  const uint64_t tick = now - (now - start_ms) % kCardinalityPeriodMs;
  if (index.readable() && tick > start_ms && index.cardinality_ms() < tick) {
    index.CollectCardinality(now);
  }
  return absl::StrCat("entries=", entries, ";used_bytes=", used,
                      ";entries_per_bval=", index.per_bval(),
                      ";entries_per_rec=", index.per_rec(),
                      ";load_pct=", index.load_pct(), ";load_time=", index.load_time_ms(),
                      ";stat_gc_recs=0");
}

}  // namespace

std::string Registry::Stat(std::string_view params) const {
  std::string_view name, ns;
  std::string out = NameError(params, &name);
  std::string ns_error = NamespaceError(params, true, &ns);
  if (!ns_error.empty()) return out + ns_error;
  if (out.empty()) {
    for (const auto& index : indexes_) {
      if (index->def().ns == ns && index->def().name == name) return StatsOf(*index, start_ms_);
    }
    if (const Definition* d = FindSetIndex(ns, name)) return SetIndexStats(*d);
  }
  return out + Err(kSindexNotFound, "no index");
}

// The deprecated `sindex[/ns[/name]]`: an unknown namespace answers
// "ns_type=unknown" (the real server's "clients won't handle error").
std::string Registry::StatPath(std::string_view path) const {
  const size_t slash = path.find('/');
  const std::string_view ns = path.substr(0, slash);
  if (!path.empty() && store_->Find(ns) == nullptr) return "ns_type=unknown";
  if (slash == std::string_view::npos) {
    return path.empty() ? List("", false) : List(absl::StrCat("ns=", AbslView(ns)), false);
  }
  const std::string_view name = path.substr(slash + 1);
  for (const auto& index : indexes_) {
    if (index->def().ns == ns && index->def().name == name) return StatsOf(*index, start_ms_);
  }
  if (const Definition* d = FindSetIndex(ns, name)) return SetIndexStats(*d);
  return Err(kSindexNotFound, "no index");
}

uint32_t Registry::CountForSet(std::string_view ns, std::string_view set) const {
  uint32_t n = 0;
  for (const auto& index : indexes_) {
    if (index->def().ns == ns && index->def().set == set) ++n;
  }
  return n;
}

Index* Registry::Find(std::string_view ns, std::string_view name) {
  for (auto& index : indexes_) {
    if (index->def().ns == ns && index->def().name == name) return index.get();
  }
  return nullptr;
}

Index* Registry::FindByDefinition(std::string_view ns, std::string_view set,
                                  std::string_view bin, uint8_t key_type, Collection collection,
                                  std::string_view ctx, std::string_view exp) {
  for (auto& index : indexes_) {
    const Definition& d = index->def();
    if (d.ns == ns && d.set == set && d.bin == bin && d.key_type == key_type &&
        d.collection == collection && d.ctx == ctx && d.exp == exp) {
      return index.get();
    }
  }
  return nullptr;
}

void Registry::Index1(Index* index, const Namespace& ns, const Digest& digest,
                      const Record& record, uint64_t now_ns) {
  index->Extract(record, ns.SetName(record.set_id), digest, now_ns, &scratch_);
  if (scratch_.empty()) {
    index->Erase(digest);
  } else {
    index->Put(digest, scratch_);
  }
}

// The first slice of a build runs at once (a small namespace is indexed
// before the create is answered, as the real server manages in a few
// milliseconds); the rest continues from the server loop's timer.
void Registry::StartBuild() {
  if (BuildSome(kFirstSlice) && build_hook_) build_hook_();
}

bool Registry::BuildSome(size_t budget) {
  const uint64_t now_ns = NowUnixNanos();
  const uint32_t now = ServerEpochSeconds(now_ns);
  size_t done = 0;
  for (auto& owned : indexes_) {
    Index* index = owned.get();
    if (index->readable()) continue;
    Namespace* ns = store_->Find(index->def().ns);
    if (ns == nullptr) {
      index->MarkBuilt(proto::kPartitions, NowMs());
      continue;
    }
    uint32_t pid = index->built_partitions();
    while (pid < proto::kPartitions && done < budget) {
      for (const auto& [digest, record] : ns->partition(pid)) {
        if (record.expired(now)) continue;
        Index1(index, *ns, digest, record, now_ns);
        ++done;
      }
      ++done;  // an empty partition costs something too
      ++pid;
    }
    index->MarkBuilt(pid, NowMs());
    if (done >= budget) break;
  }
  return building();
}

bool Registry::building() const {
  return std::any_of(indexes_.begin(), indexes_.end(),
                     [](const auto& i) { return !i->readable(); });
}

void Registry::OnRecordWritten(const Namespace& ns, const Digest& digest, const Record& record) {
  if (indexes_.empty()) return;
  const uint64_t now_ns = NowUnixNanos();
  for (auto& index : indexes_) {
    if (index->def().ns == ns.name()) Index1(index.get(), ns, digest, record, now_ns);
  }
}

void Registry::OnRecordRemoved(const Namespace& ns, const Digest& digest, const Record&) {
  for (auto& index : indexes_) {
    if (index->def().ns == ns.name()) index->Erase(digest);
  }
}

void Registry::OnNamespaceCleared(const Namespace& ns) {
  for (auto& index : indexes_) {
    if (index->def().ns == ns.name()) index->Clear();
  }
}

}  // namespace aerospike_py::server::sindex
