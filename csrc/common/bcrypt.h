// bcrypt ($2a$): the password hash Aerospike's admin protocol carries.
// Clients send bcrypt(password) with one fixed salt as the LOGIN credential
// and as the password of CREATE_USER / SET_PASSWORD / CHANGE_PASSWORD
// (wire protocol §13.2); the embedded server hashes the passwords of the
// users it is started with the same way. OpenSSL has no bcrypt, so this is
// our own implementation over Blowfish (blowfish_pi.h holds its initial
// state). The work is deliberately slow (2^cost key expansions, ~60 ms at
// cost 10): never call it on an event thread or with the GIL held.
// Used by io (login), client (admin) and server (security).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace aerospike_py {

// The salt every Aerospike client hashes passwords with: "$2a$10$" and 22
// characters of bcrypt's base64 (16 bytes).
inline constexpr std::string_view kAerospikePasswordSalt = "$2a$10$7EqJtq98hPqEX7fNZaFWoO";

// The 60-character "$2a$NN$<salt><hash>" string. `salt` is a setting
// string "$2a$NN$" + 22 characters (or a whole previous hash, whose first
// 29 characters are used); the cost NN is 04..31. Passwords longer than 72
// bytes are cut there, as bcrypt always does. InvalidArgument for a
// malformed salt.
StatusOr<std::string> BcryptHash(std::string_view password, std::string_view salt);

// BcryptHash(password, kAerospikePasswordSalt).
std::string AerospikePasswordHash(std::string_view password);

// Overwrites a string's bytes (passwords) before it is freed.
void WipeString(std::string* s);

}  // namespace aerospike_py
