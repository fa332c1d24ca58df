//===- ccrnn-data.cpp - Checks the installed MNIST files ------------------===//
//
// ccrnn-data check [--fashion] [--data-dir DIR]
//
// Checks the four IDX files of MNIST (or, with --fashion, Fashion-MNIST) in
// DIR (default: ccrnn::idx::defaultDataDir, as ccrnn-train reads them):
// their SHA-256 sums (SPEC §6 for MNIST; those tools/install-data.sh records
// for Fashion-MNIST), then reads them and checks 60000 training and 10000
// test images of 28x28 with labels in 0..9. Prints one line per file and
// "ok"; on a problem prints "ccrnn-data: error: ..." and exits 2.
//
//===----------------------------------------------------------------------===//

#include "ccrnn/Runtime/Idx.h"

#include <cstdio>
#include <cstring>
#include <string>

using namespace ccrnn::idx;

namespace {

struct File {
  const char *name;
  const char *mnist;
  const char *fashion;
};

const File kFiles[] = {
    {"train-images-idx3-ubyte",
     "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
     "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"},
    {"train-labels-idx1-ubyte",
     "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
     "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"},
    {"t10k-images-idx3-ubyte",
     "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
     "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"},
    {"t10k-labels-idx1-ubyte",
     "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
     "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"},
};

int usage() {
  std::fprintf(stderr,
               "usage: ccrnn-data check [--fashion] [--data-dir DIR]\n");
  return 2;
}

int error(const std::string &msg) {
  std::fflush(stdout);
  std::fprintf(stderr, "ccrnn-data: error: %s\n", msg.c_str());
  return 2;
}

void checkSet(const char *which, const Dataset &d, int64_t count) {
  std::printf("%s: %lld images of %lldx%lld, %zu labels\n", which,
              (long long)d.images.count, (long long)d.images.rows,
              (long long)d.images.cols, d.labels.values.size());
  if (d.images.count != count || d.images.rows != 28 || d.images.cols != 28)
    throw Error(std::string(which) + ": expected " + std::to_string(count) +
                " images of 28x28");
}

} // namespace

int main(int argc, char **argv) {
  if (argc == 2 &&
      (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"))) {
    std::printf(
        "usage: ccrnn-data check [--fashion] [--data-dir DIR]\n\n"
        "Checks the installed MNIST (or, with --fashion, Fashion-MNIST) "
        "files: their\nSHA-256 sums and their image and label counts. The "
        "files are looked up in\n--data-dir DIR, else $CCRNN_DATA_DIR/<name>, "
        "else ~/.cache/ccrnn/data/<name>;\ntools/install-data.sh installs "
        "them. Exit status 0 when they are fine, 2\notherwise.\n");
    return 0;
  }
  if (argc < 2 || std::strcmp(argv[1], "check") != 0)
    return usage();
  bool fashion = false;
  std::string dir;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--fashion")
      fashion = true;
    else if (a == "--data-dir" && i + 1 < argc)
      dir = argv[++i];
    else if (a.rfind("--data-dir=", 0) == 0)
      dir = a.substr(11);
    else
      return usage();
  }
  if (dir.empty())
    dir = defaultDataDir(fashion ? "fashion-mnist" : "mnist");
  try {
    Paths p = dataPaths(dir);
    bool bad = false;
    // In the order of kFiles.
    const std::string paths[] = {p.trainImages, p.trainLabels, p.testImages,
                                 p.testLabels};
    for (int i = 0; i < 4; ++i) {
      const File &f = kFiles[i];
      const std::string &path = paths[i];
      std::string sum = sha256File(path);
      std::string want = fashion ? f.fashion : f.mnist;
      std::printf("%s: sha256 %s %s\n", f.name, sum.c_str(),
                  sum == want ? "ok" : "MISMATCH");
      if (sum != want) {
        std::fflush(stdout);
        std::fprintf(stderr,
                     "ccrnn-data: error: %s: SHA-256 %s, expected %s; "
                     "reinstall with tools/install-data.sh%s\n",
                     path.c_str(), sum.c_str(), want.c_str(),
                     fashion ? " --fashion" : "");
        bad = true;
      }
    }
    if (bad)
      return 2;
    checkSet("train", readTrain(dir), 60000);
    checkSet("test", readTest(dir), 10000);
  } catch (const Error &e) {
    return error(e.what());
  }
  std::printf("ok\n");
  return 0;
}
