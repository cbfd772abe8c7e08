# The native addon. Its sources are listed once, in native/sources.json (CMakeLists.txt reads the
# same list); scripts/find-blas.js finds the BLAS library. No -march flags: the binary runs on any
# x86-64 CPU, and OpenBLAS picks its kernels for the CPU at run time.
{
  "targets": [
    {
      "target_name": "tensorgrad",
      "sources": ["<!@(node -p \"require('./native/sources.json').join(' ')\")"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except_all"],
      "defines": ["NAPI_VERSION=8", "<!@(node scripts/find-blas.js defines)"],
      "cflags": ["-O3", "-fvisibility=hidden", "-Wall", "-Wextra", "<!@(node scripts/find-blas.js cflags)"],
      "cflags_cc": ["-std=c++17", "-O3", "-fvisibility=hidden", "-fvisibility-inlines-hidden", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math", "-Wall", "-Wextra", "-Wno-psabi"],
      "cflags_cc!": ["-std=gnu++17", "-std=gnu++20", "-O2"],
      "libraries": ["<!@(node scripts/find-blas.js libs)"],
      "conditions": [
        ["OS=='linux'", { "ldflags": ["-Wl,--version-script=<(module_root_dir)/native/exports.map"] }]
      ],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
        "OTHER_CFLAGS": ["-O3", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math"]
      }
    }
  ]
}
