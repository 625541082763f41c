#include "server/sindex/registry.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/strings.h"

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

Registry::Registry(Store* store) : store_(store) {
  for (auto& ns : store_->namespaces()) ns->set_observer(this);
}

std::string Registry::Create(std::string_view params) {
  Definition def;
  std::string error;
  if (!ParseCreate(params, &def, &error)) return error;
  // An unknown namespace is accepted and nothing is created (the real
  // server's system metadata skips definitions of namespaces it lacks).
  if (store_->Find(def.ns) == nullptr) return "ok";
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

std::string Registry::Delete(std::string_view params) {
  bool has = false;
  std::string_view name = InfoParam(params, "indexname", &has);
  if (!has) return Err(4, "missing 'indexname'");
  if (name.empty()) return Err(4, "missing 'indexname' value");
  std::string_view ns = InfoParam(params, "namespace", &has);
  if (!has) return Err(4, "missing 'namespace'");
  auto it = std::find_if(indexes_.begin(), indexes_.end(), [&](const auto& i) {
    return i->def().ns == ns && i->def().name == name;
  });
  if (it != indexes_.end()) indexes_.erase(it);
  return "ok";  // dropping an index that does not exist is not an error
}

std::string Registry::List(std::string_view params) const {
  bool has_ns = false;
  std::string_view ns = InfoParam(params, "namespace", &has_ns);
  bool has_b64 = false;
  std::string_view b64 = InfoParam(params, "b64", &has_b64);
  if (has_b64 && b64 != "true" && b64 != "false") return Err(4, "bad b64");
  if (has_ns && store_->Find(ns) == nullptr) return Err(20, "namespace not found on node");
  std::string out;
  for (const auto& index : indexes_) {
    const Definition& d = index->def();
    if (has_ns && d.ns != ns) continue;
    absl::StrAppend(&out, "ns=", d.ns, ":indexname=", d.name,
                    ":set=", d.set.empty() ? "null" : d.set,
                    ":bin=", d.bin.empty() ? "null" : d.bin,
                    ":type=", AbslView(KeyTypeName(d.key_type)),
                    ":indextype=", AbslView(CollectionName(d.collection)),
                    ":context=", d.ctx_b64.empty() ? "null" : d.ctx_b64,
                    ":exp=", d.exp_b64.empty() ? "null" : d.exp_b64,
                    index->error ? ":state=ERROR" : index->readable() ? ":state=RW" : ":state=WO",
                    ";");
  }
  if (!out.empty()) out.pop_back();
  return out;
}

std::string Registry::Exists(std::string_view params) const {
  bool has = false;
  std::string_view name = InfoParam(params, "indexname", &has);
  if (!has) return Err(4, "missing 'indexname'");
  std::string_view ns = InfoParam(params, "namespace", &has);
  if (!has) return Err(4, "missing 'namespace'");
  if (store_->Find(ns) == nullptr) return Err(20, "namespace not found on node");
  for (const auto& index : indexes_) {
    if (index->def().ns == ns && index->def().name == name) return "true";
  }
  return "false";
}

namespace {

std::string StatsOf(const Index& index) {
  const uint64_t entries = index.entries();
  // The real server reports its b-tree arena, allocated in 16 MiB stages
  // (one from the start).
  constexpr uint64_t kStage = 16u << 20;
  const uint64_t used = std::max<uint64_t>(1, (entries * 48 + kStage - 1) / kStage) * kStage;
  uint64_t per_bval = 0, per_rec = 0;
  if (index.readable() && entries != 0) {
    const uint64_t bvals = index.distinct_bvals();
    const uint64_t records = index.records();
    per_bval = bvals == 0 ? 0 : (entries + bvals / 2) / bvals;
    per_rec = records == 0 ? 0 : (entries + records / 2) / records;
  }
  return absl::StrCat("entries=", entries, ";used_bytes=", used,
                      ";entries_per_bval=", per_bval, ";entries_per_rec=", per_rec,
                      ";load_pct=", index.load_pct(), ";load_time=", index.load_time_ms(),
                      ";stat_gc_recs=0");
}

}  // namespace

std::string Registry::Stat(std::string_view params) const {
  bool has = false;
  std::string_view name = InfoParam(params, "indexname", &has);
  if (!has) return Err(4, "missing 'indexname'");
  std::string_view ns = InfoParam(params, "namespace", &has);
  if (!has) return Err(4, "missing 'namespace'");
  if (store_->Find(ns) == nullptr) return Err(20, "namespace not found on node");
  for (const auto& index : indexes_) {
    if (index->def().ns == ns && index->def().name == name) return StatsOf(*index);
  }
  return Err(kSindexNotFound, "no index");
}

std::string Registry::StatPath(std::string_view path) const {
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos) return Err(4, "bad index path");
  const std::string_view ns = path.substr(0, slash), name = path.substr(slash + 1);
  if (store_->Find(ns) == nullptr) return Err(20, "namespace not found on node");
  for (const auto& index : indexes_) {
    if (index->def().ns == ns && index->def().name == name) return StatsOf(*index);
  }
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
