#!/usr/bin/python3
"""i18n_catalogue_test.py — proves that src/app/i18n_catalogue.py's check can fail: a missing string, a changed
printf specifier and a malformed line are each caught, and C literals (escapes, adjacent pieces) are read as the
compiler reads them. Run by CTest (tests/CMakeLists.txt) next to the check of the real catalogue.

How to use: /usr/bin/python3 tests/i18n/i18n_catalogue_test.py   (exit status 0 when every case passes)
"""
import pathlib
import subprocess
import sys
import tempfile
import unittest

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "src/app/i18n_catalogue.py"

SOURCE = r'''
// tr("Only in a comment") is not a UI string.
void view() {
    ImGui::Text(tr("Opened %s in %.1f ms"), name, ms);
    auto s = trf("Two " /* pieces */ "pieces");
    static const char* kRow = trLater("Dash \xE2\x80\x94 here");
    ImGui::Begin(trWindowTitle("About", "about").c_str());
    ImGui::Text(tr(variable)); // not a literal: nothing to check
}
'''
TERMS = "pneumonia\t肺炎\n疟疾\n"


class CheckTest(unittest.TestCase):
    def run_check(self, catalogue_lines, terms=TERMS):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = pathlib.Path(tmp)
            (tmp / "src").mkdir()
            (tmp / "src/view.cpp").write_text(SOURCE, encoding="utf-8")
            (tmp / "zh.tsv").write_text("\n".join(catalogue_lines) + "\n", encoding="utf-8")
            (tmp / "terms.txt").write_text(terms, encoding="utf-8")
            result = subprocess.run([sys.executable, SCRIPT, "check", "--catalogue", tmp / "zh.tsv", "--terms",
                                     tmp / "terms.txt", "--sources", tmp / "src"], capture_output=True, text=True)
            return result.returncode, result.stdout + result.stderr

    COMPLETE = ["# comment", "Opened %s in %.1f ms\t已打开 %s，用时 %.1f ms", "Two pieces\t两段",
                "Dash — here\t破折号 — 这里", "About\t关于"]

    def test_complete_catalogue_passes(self):
        code, out = self.run_check(self.COMPLETE)
        self.assertEqual(code, 0, out)
        self.assertIn("4 distinct UI strings", out)

    def test_missing_string_is_listed_as_a_line_to_paste(self):
        code, out = self.run_check([line for line in self.COMPLETE if not line.startswith("Dash")])
        self.assertEqual(code, 1, out)
        self.assertIn("\nDash — here\t\n", out)  # decoded from \xE2\x80\x94, ready for a translation
        self.assertNotIn("Only in a comment", out)

    def test_changed_printf_specifier_fails(self):
        lines = [line.replace("%.1f ms", "%d ms") if line.startswith("Opened") else line for line in self.COMPLETE]
        code, out = self.run_check(lines)
        self.assertEqual(code, 1, out)
        self.assertIn("printf specifiers", out)

    def test_reordered_specifiers_fail(self):
        lines = [line.replace("已打开 %s，用时 %.1f ms", "用时 %.1f ms，已打开 %s") for line in self.COMPLETE]
        self.assertEqual(self.run_check(lines)[0], 1)

    def test_line_without_translation_is_an_error(self):
        code, out = self.run_check(self.COMPLETE + ["Untranslated"])
        self.assertEqual(code, 2, out)
        self.assertIn("expected 'English<TAB>translation'", out)

    def test_duplicate_key_is_an_error(self):
        self.assertEqual(self.run_check(self.COMPLETE + ["About\t关于我们"])[0], 2)


class GenerateTest(unittest.TestCase):
    def test_table_is_sorted_and_glyphs_cover_both_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = pathlib.Path(tmp)
            (tmp / "zh.tsv").write_text("b\t乙\na\t甲\nnew\\nline\t换\\n行\n", encoding="utf-8")
            (tmp / "terms.txt").write_text(TERMS, encoding="utf-8")
            subprocess.run([sys.executable, SCRIPT, "generate", "--catalogue", tmp / "zh.tsv", "--terms",
                            tmp / "terms.txt", "--header", tmp / "t.inc", "--glyphs", tmp / "g.txt"], check=True)
            header = (tmp / "t.inc").read_text(encoding="utf-8")
            self.assertLess(header.index('{"a", '), header.index('{"b", '))
            self.assertIn('{"new\\012line", ', header)
            self.assertIn('{"pneumonia", ', header)
            glyphs = (tmp / "g.txt").read_text(encoding="utf-8")
            for c in "甲乙换行肺炎疟疾A~é":
                self.assertIn(c, glyphs)


if __name__ == "__main__":
    unittest.main()
