// Small string utilities on std::string_view. Debian's abseil is built with
// its own string_view type, so its string helpers do not accept
// std::string_view; these cover what the protocol code needs (integers,
// splitting, base64) without conversions at every call site.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace aerospike_py {

// Parses the whole of `text` as a decimal integer; false on any junk,
// overflow or empty input.
template <typename Int>
bool ParseInt(std::string_view text, Int* out) {
  static_assert(std::is_integral_v<Int>);
  if (text.empty()) return false;
  const char* begin = text.data();
  const char* end = begin + text.size();
  if constexpr (std::is_unsigned_v<Int>) {
    if (*begin == '+') ++begin;
  }
  auto [ptr, ec] = std::from_chars(begin, end, *out);
  return ec == std::errc() && ptr == end;
}

// Splits on `sep`; empty pieces are kept unless `skip_empty`.
std::vector<std::string_view> Split(std::string_view text, char sep,
                                    bool skip_empty = false);

std::string Base64Encode(std::string_view raw);
// Standard alphabet with padding; false on invalid input.
bool Base64Decode(std::string_view encoded, std::string* out);

std::string HexEncode(std::string_view raw);
// Lower- or upper-case hex of even length; false on invalid input.
bool HexDecode(std::string_view hex, std::string* out);

}  // namespace aerospike_py
