// Registry: every secondary index of the embedded server, the info
// commands that manage them (sindex-create, sindex-delete, sindex-list,
// sindex-exists, sindex-stat, sindex/<ns>/<name>) answered as the real
// server answers them, their upkeep, and their background build.
//
// Upkeep: the registry observes every namespace (store.h RecordObserver):
// a written record's entries are replaced by what it holds now, a removed
// one (delete, expiry, eviction by the sweeper, truncate) loses them.
// Build: a new index is write-only until BuildSome() has visited every
// partition of its namespace, a slice per call from the server loop's
// timer, like the real server's populate threads; queries then see it
// readable (load_pct=100). Event thread of the server only.
//
// Set indexes (8.1 `indextype=SET`) are kept apart: the real server keeps a
// tree of one set's records per partition so that a scan of the set reads
// only them, which changes no record a query returns. What they change is
// what the info commands say: sindex-list (after the bin indexes),
// sindex-stat, sindex-exists, sindex-delete and the `sets` info's
// enable-index. One per set: a create under another name renames it (the
// real server's metadata keys them by namespace and set). They are built at
// once (load_pct=100), where the real server fills a large set's tree in
// the background.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/sindex/definition.h"
#include "server/sindex/index.h"
#include "server/store.h"

namespace aerospike_py::server::sindex {

class Registry final : public RecordObserver {
 public:
  explicit Registry(Store* store);
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // --- info commands (the value of the answer, without the echo) ---
  std::string Create(std::string_view params);
  std::string Delete(std::string_view params);
  // sindex-list; `set_indexes` false: the bin indexes alone (`sindex[/ns]`).
  std::string List(std::string_view params, bool set_indexes = true) const;
  std::string Exists(std::string_view params) const;
  std::string Stat(std::string_view params) const;      // sindex-stat:namespace=..;indexname=..
  std::string StatPath(std::string_view path) const;    // sindex/<ns>/<name>
  // How many bin indexes cover a set (the `sets` info's sindexes=).
  uint32_t CountForSet(std::string_view ns, std::string_view set) const;
  // Whether the set has a set index (the `sets` info's enable-index=).
  bool SetIndexed(std::string_view ns, std::string_view set) const;

  // --- queries ---
  Index* Find(std::string_view ns, std::string_view name);
  // The index a query's where clause names by definition (the real
  // server's lookup: set, bin or expression, key type, collection, ctx).
  Index* FindByDefinition(std::string_view ns, std::string_view set, std::string_view bin,
                          uint8_t key_type, Collection collection, std::string_view ctx,
                          std::string_view exp);

  // --- building ---
  // Builds some of the pending indexes (about `budget` records); true while
  // some index is still being built.
  bool BuildSome(size_t budget);
  bool building() const;
  // Called when a build becomes pending (the server loop starts its build
  // timer, which stops once BuildSome() reports nothing left).
  void set_build_hook(std::function<void()> hook) { build_hook_ = std::move(hook); }

  // --- RecordObserver ---
  void OnRecordWritten(const Namespace& ns, const Digest& digest, const Record& record) override;
  void OnRecordRemoved(const Namespace& ns, const Digest& digest, const Record& record) override;
  void OnNamespaceCleared(const Namespace& ns) override;

 private:
  static std::string NameError(std::string_view params, std::string_view* name);
  std::string NamespaceError(std::string_view params, bool must_exist,
                             std::string_view* ns) const;
  std::string CreateSetIndex(Definition def);
  const Definition* FindSetIndex(std::string_view ns, std::string_view name) const;
  std::string SetIndexStats(const Definition& def) const;
  void Index1(Index* index, const Namespace& ns, const Digest& digest, const Record& record,
              uint64_t now_ns);
  void StartBuild();
  static constexpr size_t kFirstSlice = 20000;  // records

  Store* store_;
  uint64_t start_ms_ = 0;  // the cardinality "thread" runs hourly from here
  std::function<void()> build_hook_;
  std::vector<std::unique_ptr<Index>> indexes_;  // in creation order
  std::vector<Definition> set_indexes_;          // in creation order
  std::vector<int64_t> scratch_;
};

}  // namespace aerospike_py::server::sindex
