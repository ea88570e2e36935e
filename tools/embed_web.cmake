# Writes OUT, a C++ source defining the table of services/api/web_assets.h with every file under
# SRC (the web/ folder): its URL path ("/" for index.html, "/assets/<relative path>" for the
# others), content type, ETag (a quoted prefix of its SHA-256) and bytes. Files whose type is not
# listed here stop the build, so nothing is served with a guessed type; *.scss and *.md are
# sources and notes, not served.
file(GLOB_RECURSE FILES RELATIVE "${SRC}" "${SRC}/*")
list(SORT FILES)
set(DEFS "")
set(TABLE "")
set(N 0)
foreach(REL IN LISTS FILES)
  get_filename_component(NAME "${REL}" NAME)
  string(TOLOWER "${NAME}" LNAME)
  if(LNAME MATCHES "\\.(scss|md)$")
    continue()
  elseif(LNAME MATCHES "\\.html$")
    set(TYPE "text/html; charset=utf-8")
  elseif(LNAME MATCHES "\\.css$")
    set(TYPE "text/css; charset=utf-8")
  elseif(LNAME MATCHES "\\.(js|mjs)$")
    set(TYPE "text/javascript; charset=utf-8")
  elseif(LNAME MATCHES "\\.svg$")
    set(TYPE "image/svg+xml")
  elseif(LNAME MATCHES "\\.png$")
    set(TYPE "image/png")
  elseif(LNAME MATCHES "\\.ico$")
    set(TYPE "image/x-icon")
  elseif(LNAME MATCHES "\\.(txt)$" OR LNAME STREQUAL "license")
    set(TYPE "text/plain; charset=utf-8")
  else()
    message(FATAL_ERROR "web/${REL}: no content type for this file; add one to tools/embed_web.cmake")
  endif()
  if(REL STREQUAL "index.html")
    set(URL "/")
  else()
    set(URL "/assets/${REL}")
  endif()
  file(READ "${SRC}/${REL}" HEX HEX)
  file(SHA256 "${SRC}/${REL}" SUM)
  string(SUBSTRING "${SUM}" 0 20 SUM)
  string(LENGTH "${HEX}" HEXLEN)
  math(EXPR SIZE "${HEXLEN} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," BYTES "${HEX}")
  string(APPEND DEFS "// web/${REL}\nconst unsigned char kFile${N}[] = {${BYTES}0};\n")
  string(APPEND TABLE "    {\"${URL}\", \"${TYPE}\", \"\\\"${SUM}\\\"\",\n"
    "     std::string_view(reinterpret_cast<const char*>(kFile${N}), ${SIZE})},\n")
  math(EXPR N "${N} + 1")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from web/ by tools/embed_web.cmake. Do not edit.\n"
  "// clang-format off\n#include \"services/api/web_assets.h\"\n\n"
  "namespace contrack::api {\nnamespace {\n${DEFS}\n"
  "const WebAsset kAssets[] = {\n${TABLE}};\n}  // namespace\n\n"
  "std::span<const WebAsset> WebAssets() { return kAssets; }\n\n"
  "}  // namespace contrack::api\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
