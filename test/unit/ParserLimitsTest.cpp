//===- ParserLimitsTest.cpp - the scan before the MLIR parser ---*- C++ -*-===//

#include "ccrnn/Support/ParserLimits.h"

#include "gtest/gtest.h"

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace ccrnn;
namespace fs = std::filesystem;

namespace {

std::string repeat(std::string_view piece, int64_t n) {
  std::string s;
  for (int64_t i = 0; i < n; ++i)
    s += piece;
  return s;
}

std::string nested(int64_t depth) {
  return "func.func private @f() -> " + repeat("(", depth) + "i32" +
         repeat(")", depth) + "\n";
}

std::string number(int64_t digits) {
  return "%c = arith.constant " + repeat("7", digits) + " : i32\n";
}

} // namespace

TEST(ParserLimits, EveryModelAndTestInputPasses) {
  const fs::path root = fs::path(CCRNN_TEST_INPUTS_DIR) / ".." / ".." / "..";
  int64_t files = 0;
  for (const char *dir : {"models", "test"}) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root / dir, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec || it->path().extension() != ".mlir")
        continue;
      std::ifstream in(it->path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      std::optional<ParserLimitError> e = checkParserLimits(text.str());
      EXPECT_FALSE(e) << it->path() << ": "
                      << (e ? formatParserLimitError("", *e) : "");
      ++files;
    }
  }
  EXPECT_GE(files, 40);
}

TEST(ParserLimits, Nesting) {
  EXPECT_FALSE(checkParserLimits(nested(kMaxTextNesting)));
  std::optional<ParserLimitError> e =
      checkParserLimits("// a comment\n" + nested(kMaxTextNesting + 1));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->line, 2);
  // The first bracket past the limit.
  EXPECT_EQ(e->column, int64_t(std::string("func.func private @f() -> ").size() +
                                kMaxTextNesting + 1));
  EXPECT_EQ(formatParserLimitError("m.mlir", *e),
            "m.mlir:2:283: error: brackets nested more than 256 deep (the "
            "limit of ccrnn's tools for (), [], {} and <> together)");
  // Every kind counts, together.
  EXPECT_TRUE(checkParserLimits(repeat("[{<(", 65) + repeat(")>}]", 65)));
  EXPECT_FALSE(checkParserLimits(repeat("[{<(", 64) + repeat(")>}]", 64)));
  // Closed brackets do not add up.
  EXPECT_FALSE(checkParserLimits(repeat("(())", 100000)));
}

TEST(ParserLimits, StringsCommentsArrowsAndOperatorsAreNotBrackets) {
  const std::string open = repeat("(", 1000);
  EXPECT_FALSE(checkParserLimits("%s = \"" + open + "\\\"" + open + "\"\n"));
  EXPECT_FALSE(checkParserLimits("// " + open + "\n"));
  EXPECT_FALSE(checkParserLimits(repeat("() -> ", 1000) + "()\n"));
  // '>' and '>=' of an affine set close nothing but a '<'.
  EXPECT_FALSE(checkParserLimits(
      repeat("#s = affine_set<(d0) : (d0 - 1 >= 0)>\n", 1000)));
  // A ')' also closes a '<' left open inside its pair.
  EXPECT_FALSE(checkParserLimits(repeat("(<)", 1000)));
  // An unterminated string ends at its line.
  EXPECT_TRUE(checkParserLimits("\"abc\n" + nested(300)));
}

TEST(ParserLimits, NumberLength) {
  EXPECT_FALSE(checkParserLimits(number(kMaxNumberLength)));
  std::optional<ParserLimitError> e =
      checkParserLimits(number(kMaxNumberLength + 1));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->line, 1);
  EXPECT_EQ(e->column, 21);
  EXPECT_EQ(e->message, "a number literal of 513 characters (the limit of "
                        "ccrnn's tools is 512)");
  // Fractions, exponents and hex literals count too.
  EXPECT_TRUE(checkParserLimits("1." + repeat("5", 600)));
  EXPECT_TRUE(checkParserLimits("1.5e" + repeat("5", 600)));
  EXPECT_TRUE(checkParserLimits("0x" + repeat("F", 600)));
  // Digits in names and strings are not numbers.
  EXPECT_FALSE(checkParserLimits("@f" + repeat("5", 600)));
  EXPECT_FALSE(checkParserLimits("%" + repeat("5", 600)));
  EXPECT_FALSE(checkParserLimits("\"" + repeat("5", 600) + "\""));
  // Many short numbers are fine.
  EXPECT_FALSE(checkParserLimits("dense<[" + repeat("-1.5e-3, ", 100000) +
                                 "0]>"));
  EXPECT_FALSE(checkParserLimits("tensor<" + repeat("1x", 200) + "f32>"));
}

TEST(ParserLimits, OperatorChains) {
  const std::string head = "#m = affine_map<(d0) -> (";
  EXPECT_FALSE(checkParserLimits(head + repeat("-", kMaxOperatorsPerBracket) +
                                 "d0)>"));
  EXPECT_TRUE(checkParserLimits(head + repeat("-", kMaxOperatorsPerBracket + 1) +
                                "d0)>"));
  EXPECT_TRUE(checkParserLimits(head + repeat("d0 + ", 2000) + "d0)>"));
  // Counted per expression: closed brackets give their operators back,
  // open ones add up.
  EXPECT_FALSE(checkParserLimits(repeat(head + "d0 + d0 - d0)>\n", 2000)));
  EXPECT_FALSE(checkParserLimits(repeat("(- d0) ", 2000)));
  EXPECT_TRUE(checkParserLimits(repeat("- (", 200) + repeat("- ", 900)));
  // Negative numbers are not operators.
  EXPECT_FALSE(checkParserLimits("[" + repeat("-1, ", 5000) + "-2]"));
}
