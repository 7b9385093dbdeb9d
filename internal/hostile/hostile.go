// Package hostile holds what the trust tests share about hostile text:
// the check that an output a person reads holds no code point a terminal
// would act on. Nothing outside tests imports it.
package hostile

// RawControl returns the first code point of out that must never reach a
// terminal raw — a C0 control other than newline and tab, DEL, a C1
// control, a bidi override or isolate, a line or paragraph separator — and
// whether there is one.
func RawControl(out string) (rune, bool) {
	for _, r := range out {
		switch {
		case r == '\n' || r == '\t':
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r >= 0x202a && r <= 0x202e,
			r >= 0x2066 && r <= 0x2069, r == 0x2028, r == 0x2029:
			return r, true
		}
	}
	return 0, false
}
