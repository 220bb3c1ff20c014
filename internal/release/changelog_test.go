package release

import (
	"os"
	"slices"
	"testing"

	"golang.org/x/mod/semver"
)

const sample = `# Changelog

intro

## Unreleased

- next

## v0.3.0

- three

## v0.2.0

- two

## v0.1.0

- one
`

func versions(ss []Section) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Version)
	}
	return out
}

func TestChangesBetween(t *testing.T) {
	for _, c := range []struct {
		from, to string
		want     []string
	}{
		{"v0.1.0", "(devel)", []string{"Unreleased", "v0.3.0", "v0.2.0"}},
		{"v0.1.0", "v0.3.0", []string{"v0.3.0", "v0.2.0"}},
		{"v0.2.0", "v0.3.0", []string{"v0.3.0"}},
		{"v0.3.0", "v0.3.0", nil},
		{"v0.1.0", "v0.3.1-0.20261205000000-abcdef123456", []string{"Unreleased", "v0.3.0", "v0.2.0"}},
		{"", "v0.2.0", []string{"v0.2.0", "v0.1.0"}},
		{"(devel)", "v0.3.0", nil},
	} {
		if got := versions(ChangesBetween(sample, c.from, c.to)); !slices.Equal(got, c.want) {
			t.Errorf("from %s to %s: %v, want %v", c.from, c.to, got, c.want)
		}
	}
	if s := ParseChangelog(sample); s[1].Text != "- three" {
		t.Errorf("section text: %q", s[1].Text)
	}
}

// TestChangelogFile: CHANGELOG.md has an Unreleased section first, then one
// per release tag, newest first, each with entries.
func TestChangelogFile(t *testing.T) {
	data, err := os.ReadFile("../../CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := ParseChangelog(string(data))
	if len(sections) < 2 || sections[0].Version != Unreleased {
		t.Fatalf("CHANGELOG.md: want ## Unreleased first, then the releases; got %v", versions(sections))
	}
	for i, s := range sections {
		if s.Text == "" {
			t.Errorf("section %s is empty", s.Version)
		}
		if i > 0 && !semver.IsValid(s.Version) {
			t.Errorf("section %q is not a release tag", s.Version)
		}
		if i > 1 && semver.Compare(sections[i-1].Version, s.Version) <= 0 {
			t.Errorf("%s comes after %s: newest first", s.Version, sections[i-1].Version)
		}
	}
}
