# Writes OUT, a C++ source defining contrack::cli::kDemoJsonl with the contents of IN.
file(READ "${IN}" CONTENT)
file(WRITE "${OUT}" "// Generated from demo/demo.jsonl by tools/embed_demo.cmake. Do not edit.\n"
  "#include <string_view>\nnamespace contrack::cli {\n"
  "extern const std::string_view kDemoJsonl;\n"
  "const std::string_view kDemoJsonl = R\"contrack_demo(${CONTENT})contrack_demo\";\n"
  "}  // namespace contrack::cli\n")
