#include "test_certs.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace aerospike_py::testing {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test PKI: ") + what);
}

EVP_PKEY* NewKey() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  Check(key != nullptr, "EC key generation");
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  Check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

X509* NewCert(EVP_PKEY* key, const std::string& cn, long serial, long not_before_s,
              long not_after_s) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), not_before_s);
  X509_gmtime_adj(X509_getm_notAfter(cert), not_after_s);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return cert;
}

std::string PemOf(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

std::string PemOf(EVP_PKEY* key, const std::string& passphrase) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (passphrase.empty()) {
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), passphrase.data(),
                                  static_cast<int>(passphrase.size()), nullptr, nullptr);
  }
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

X509* ReadCert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  Check(f != nullptr, "open CA cert");
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  Check(cert != nullptr, "read CA cert");
  return cert;
}

EVP_PKEY* ReadKey(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  Check(f != nullptr, "open CA key");
  EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  Check(key != nullptr, "read CA key");
  return key;
}

}  // namespace

TestPki::TestPki() {
  char tmpl[] = "/tmp/aspy-pki-XXXXXX";
  Check(mkdtemp(tmpl) != nullptr, "mkdtemp");
  dir_ = tmpl;
}

TestPki::~TestPki() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string TestPki::WriteFile(const std::string& name, const std::string& text) {
  const std::string path = dir_ + "/" + name;
  std::ofstream out(path, std::ios::binary);
  out << text;
  return path;
}

PemFiles TestPki::MakeCa(const std::string& name) {
  EVP_PKEY* key = NewKey();
  X509* cert = NewCert(key, name, next_serial_++, -3600, 10 * 365 * 86400L);
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  AddExtension(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(cert, cert, NID_subject_key_identifier, "hash");
  Check(X509_sign(cert, key, EVP_sha256()) > 0, "sign CA");
  PemFiles files{WriteFile(name + "-ca.pem", PemOf(cert)),
                 WriteFile(name + "-ca.key", PemOf(key, ""))};
  X509_free(cert);
  EVP_PKEY_free(key);
  return files;
}

PemFiles TestPki::MakeLeaf(const PemFiles& ca, const std::string& file_stem, const std::string& cn,
                           const std::vector<std::string>& dns, const std::vector<std::string>& ips,
                           long not_before_s, long not_after_s, long serial,
                           const std::string& passphrase) {
  X509* ca_cert = ReadCert(ca.cert);
  EVP_PKEY* ca_key = ReadKey(ca.key);
  EVP_PKEY* key = NewKey();
  X509* cert = NewCert(key, cn, serial != 0 ? serial : next_serial_++, not_before_s, not_after_s);
  X509_set_issuer_name(cert, X509_get_subject_name(ca_cert));
  AddExtension(cert, ca_cert, NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(cert, ca_cert, NID_authority_key_identifier, "keyid");
  std::string san;
  for (const std::string& d : dns) san += (san.empty() ? "" : ",") + ("DNS:" + d);
  for (const std::string& ip : ips) san += (san.empty() ? "" : ",") + ("IP:" + ip);
  if (!san.empty()) AddExtension(cert, ca_cert, NID_subject_alt_name, san);
  Check(X509_sign(cert, ca_key, EVP_sha256()) > 0, "sign leaf");
  PemFiles files{WriteFile(file_stem + ".pem", PemOf(cert)),
                 WriteFile(file_stem + ".key", PemOf(key, passphrase))};
  X509_free(cert);
  EVP_PKEY_free(key);
  X509_free(ca_cert);
  EVP_PKEY_free(ca_key);
  return files;
}

}  // namespace aerospike_py::testing
