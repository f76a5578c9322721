// fuzz_replay: runs fuzz targets without libFuzzer, for CI in every build (including ASan+UBSan).
//   fuzz_replay <target> [--corpus=<folder>] [--mutations=N]
// Runs the target's seeds and every file in the corpus folder, then N inputs made from them by
// deterministic mutations (flips, inserts, deletes, splices, interesting bytes): not coverage-
// guided like tools/fuzz, but every run tries the same inputs, so a failure reproduces.
// Exit status 0 when every input passed; a failing property aborts with the input saved to
// fuzz-crash-<target> in the working folder.
#include <dirent.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_target.h"

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::vector<std::string> CorpusFiles(const std::string& folder) {
  std::vector<std::string> files;
  DIR* dir = opendir(folder.c_str());
  if (dir == nullptr) return files;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    files.push_back(folder + "/" + entry->d_name);
  }
  closedir(dir);
  std::sort(files.begin(), files.end());
  return files;
}

// One mutation of `input`, with `other` for splices.
std::string Mutate(std::string input, const std::string& other, std::mt19937_64& random) {
  static const char* const kInteresting[] = {"\0", "\xff", "%", "%00", "/", "?", "&", "=", "\r\n", "\"", ",",
                                             "\xc3\xa0", "\xe2\x80\xae", "-1", "99999999999999999999", "{", "}"};
  const int steps = 1 + static_cast<int>(random() % 4);
  for (int step = 0; step < steps; ++step) {
    const size_t at = input.empty() ? 0 : random() % (input.size() + 1);
    switch (random() % 6) {
      case 0:  // flip a bit
        if (!input.empty()) input[at % input.size()] ^= static_cast<char>(1u << (random() % 8));
        break;
      case 1:  // replace a byte
        if (!input.empty()) input[at % input.size()] = static_cast<char>(random());
        break;
      case 2: {  // delete a run
        const size_t length = std::min<size_t>(input.size() - std::min(at, input.size()), 1 + random() % 8);
        input.erase(std::min(at, input.size()), length);
        break;
      }
      case 3: {  // insert something interesting
        const char* piece = kInteresting[random() % (sizeof(kInteresting) / sizeof(kInteresting[0]))];
        input.insert(at, piece, std::max<size_t>(1, std::strlen(piece)));
        break;
      }
      case 4: {  // duplicate a run
        if (input.empty()) break;
        const size_t from = random() % input.size();
        const size_t length = std::min<size_t>(input.size() - from, 1 + random() % 16);
        input.insert(at, input.substr(from, length));
        break;
      }
      default: {  // splice with another input
        if (other.empty()) break;
        const size_t from = random() % other.size();
        input = input.substr(0, at) + other.substr(from);
        break;
      }
    }
  }
  return input;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fuzz_replay <target> [--corpus=<folder>] [--mutations=N]\n");
    return 2;
  }
  const std::string name = argv[1];
  std::string corpus_folder;
  long mutations = 2000;
  for (int i = 2; i < argc; ++i) {
    if (std::strncmp(argv[i], "--corpus=", 9) == 0) corpus_folder = argv[i] + 9;
    if (std::strncmp(argv[i], "--mutations=", 12) == 0) mutations = std::atol(argv[i] + 12);
  }
  const ocop::fuzz::FuzzTarget* target = nullptr;
  for (const auto& candidate : ocop::fuzz::FuzzTargets()) {
    if (name == candidate.name) target = &candidate;
  }
  if (target == nullptr) {
    std::fprintf(stderr, "fuzz_replay: no target %s\n", name.c_str());
    return 2;
  }
  std::vector<std::string> inputs = target->seeds();
  const size_t seeds = inputs.size();
  for (const std::string& file : CorpusFiles(corpus_folder)) inputs.push_back(ReadFile(file));
  if (inputs.empty()) inputs.push_back("");
  const auto run = [&](const std::string& input) {
    // Saved first, so an abort leaves the input behind.
    std::ofstream("fuzz-crash-" + name, std::ios::binary | std::ios::trunc) << input;
    target->run(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  };
  for (const std::string& input : inputs) run(input);
  std::mt19937_64 random(20261204);
  for (long i = 0; i < mutations; ++i) {
    const std::string& base = inputs[random() % inputs.size()];
    const std::string& other = inputs[random() % inputs.size()];
    run(Mutate(base, other, random));
  }
  std::remove(("fuzz-crash-" + name).c_str());
  std::printf("fuzz_replay %s: %zu seeds, %zu corpus files, %ld mutations, no failure\n", name.c_str(), seeds,
              inputs.size() - seeds, mutations);
  return 0;
}
