# The distributed addon (tg.distributed): process groups and collectives over gloo, the collective
# library PyTorch uses on CPU. Built apart from the main addon, and only where gloo is installed
# (Debian/Ubuntu: apt-get install libgloo-dev); scripts/build-distributed.js runs this build, and
# scripts/prebuild.js makes the prebuilt module from it (native/distributed/prebuilds/), which needs
# only gloo's library (libgloo0) and the C++ runtime it brings. Like the main addon, it exports only
# Node-API's entry points (../exports.map).
{
  "targets": [
    {
      "target_name": "tensorgrad_distributed",
      "sources": ["binding.cc", "group.cc", "store.cc"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except_all"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-O2", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_cc!": ["-std=gnu++17", "-std=gnu++20", "-fno-exceptions"],
      "libraries": ["-lgloo", "-lpthread"],
      "ldflags": ["-Wl,--version-script=<(module_root_dir)/../exports.map"]
    }
  ]
}
