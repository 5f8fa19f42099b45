// Labelled-set loading (labelled_set.h): RFC 4180 CSV with the usual spreadsheet habits, folder-per-class.
#include "core/validation/labelled_set.h"

#include <catch2/catch.hpp>

TEST_CASE("CSV with BOM, CRLF, a header, quoted fields and blank lines") {
    const std::string csv = "\xEF\xBB\xBF"
                            "File,Label\r\n"
                            "a.png,pneumonia\r\n"
                            "\r\n"
                            "\"b, with comma.png\",normal\r\n"
                            "\"say \"\"hi\"\".png\",\"pneumonia\"\r\n"
                            "\"two\nlines.png\",normal"; // no final line break
    dx::Result<dx::LabelledSet> set = dx::parseLabelledCsv(csv, "labels.csv");
    REQUIRE(set.ok());
    REQUIRE(set->items.size() == 4);
    CHECK(set->classes == std::vector<std::string>{"normal", "pneumonia"});
    CHECK(set->items[0].file == "a.png");
    CHECK(set->items[0].classIndex == 1);
    CHECK(set->items[1].file == "b, with comma.png");
    CHECK(set->items[2].file == "say \"hi\".png");
    CHECK(set->items[3].file == "two\nlines.png");
    CHECK(set->items[3].label == "normal");
}

TEST_CASE("CSV without a header keeps its first row as data") {
    dx::Result<dx::LabelledSet> set = dx::parseLabelledCsv("x1.png,1\nx2.png,0\n", "l.csv");
    REQUIRE(set.ok());
    REQUIRE(set->items.size() == 2);
    CHECK(set->items[0].file == "x1.png");
    CHECK(set->classes == std::vector<std::string>{"0", "1"});
    dx::Result<dx::LabelledSet> named = dx::parseLabelledCsv("img_ref,Diagnosis\nx1.png,1\n", "l.csv");
    REQUIRE(named.ok());
    REQUIRE(named->items.size() == 1); // the label column's name marks the header
    CHECK(named->items[0].file == "x1.png");
}

TEST_CASE("CSV errors name the file and the line") {
    dx::Result<dx::LabelledSet> extra =
        dx::parseLabelledCsv("file,label\na.png,x\n\"multi\nline\",y\nc,d,e\n", "l.csv");
    REQUIRE_FALSE(extra.ok());
    CHECK(extra.error().message == "l.csv line 5: 3 fields; expected 2 (file,label)");
    dx::Result<dx::LabelledSet> open = dx::parseLabelledCsv("a.png,x\n\"b.png,y\n", "l.csv");
    REQUIRE_FALSE(open.ok());
    CHECK(open.error().message.find("line 2") != std::string::npos);
    CHECK(open.error().message.find("never closed") != std::string::npos);
    dx::Result<dx::LabelledSet> noLabel = dx::parseLabelledCsv("a.png,x\nb.png,\n", "l.csv");
    REQUIRE_FALSE(noLabel.ok());
    CHECK(noLabel.error().message == "l.csv line 2: 'b.png' has no label");
    CHECK_FALSE(dx::parseLabelledCsv("\"a\"b,x\n", "l.csv").ok());
    CHECK_FALSE(dx::parseLabelledCsv("file,label\n", "l.csv").ok());
    CHECK_FALSE(dx::parseLabelledCsv("", "l.csv").ok());
}

TEST_CASE("Folder-per-class layout and mapping onto a model's labels") {
    dx::Result<dx::LabelledSet> set =
        dx::labelledSetFromPaths({"val/Pneumonia/p1.png", "val/normal/n1.png", "val\\normal\\n2.dcm"});
    REQUIRE(set.ok());
    CHECK(set->classes == std::vector<std::string>{"Pneumonia", "normal"});
    CHECK(set->items[2].label == "normal");
    dx::Result<std::vector<int>> y = dx::classIndicesForModel(*set, {"normal", "pneumonia"});
    REQUIRE(y.ok());
    CHECK(*y == std::vector<int>{1, 0, 0});
    dx::Result<std::vector<int>> unknown = dx::classIndicesForModel(*set, {"normal", "effusion"});
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().message.find("'Pneumonia'") != std::string::npos);
    CHECK_FALSE(dx::labelledSetFromPaths({"loose.png"}).ok());
    CHECK_FALSE(dx::labelledSetFromPaths({}).ok());
}
