package inspect

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// version is a parsed semantic version; pre holds the dot-separated
// pre-release identifiers ("beta.64" → ["beta","64"]).
type version struct {
	major, minor, patch int
	pre                 []string
}

var versionRE = regexp.MustCompile(`^v?(\d{1,9})(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?(?:-([0-9A-Za-z.\-]+))?(?:\+[0-9A-Za-z.\-]+)?$`)

// parseVersion reads "1.2.3", "v1.2.3", "1.2", "3.0.0-beta.64".
func parseVersion(s string) (version, error) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return version{}, fmt.Errorf("version %q is not of the form 1.2.3", s)
	}
	var v version
	v.major, _ = strconv.Atoi(m[1])
	if m[2] != "" {
		v.minor, _ = strconv.Atoi(m[2])
	}
	if m[3] != "" {
		v.patch, _ = strconv.Atoi(m[3])
	}
	if m[4] != "" {
		v.pre = strings.Split(m[4], ".")
	}
	return v, nil
}

// mustVersion parses a version written in the tables.
func mustVersion(s string) version {
	v, err := parseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// cmp orders versions as semver does: a pre-release sorts before its
// release; numeric identifiers compare as numbers.
func (a version) cmp(b version) int {
	for _, d := range [3]int{a.major - b.major, a.minor - b.minor, a.patch - b.patch} {
		if d != 0 {
			return sign(d)
		}
	}
	switch {
	case len(a.pre) == 0 && len(b.pre) == 0:
		return 0
	case len(a.pre) == 0:
		return 1
	case len(b.pre) == 0:
		return -1
	}
	for i := 0; i < len(a.pre) && i < len(b.pre); i++ {
		x, errx := strconv.Atoi(a.pre[i])
		y, erry := strconv.Atoi(b.pre[i])
		switch {
		case errx == nil && erry == nil:
			if x != y {
				return sign(x - y)
			}
		case errx == nil:
			return -1
		case erry == nil:
			return 1
		default:
			if c := strings.Compare(a.pre[i], b.pre[i]); c != 0 {
				return c
			}
		}
	}
	return sign(len(a.pre) - len(b.pre))
}

func sign(d int) int {
	switch {
	case d < 0:
		return -1
	case d > 0:
		return 1
	}
	return 0
}

// atLeast reports whether v >= s.
func (a version) atLeast(s string) bool { return a.cmp(mustVersion(s)) >= 0 }

// String writes v back as "1.2.3" or "1.2.3-beta.4".
func (a version) String() string {
	s := fmt.Sprintf("%d.%d.%d", a.major, a.minor, a.patch)
	if len(a.pre) > 0 {
		s += "-" + strings.Join(a.pre, ".")
	}
	return s
}
