package release

import (
	"strings"

	"golang.org/x/mod/semver"
)

// Section is one release's part of CHANGELOG.md.
type Section struct {
	// Version is the release tag, or "Unreleased".
	Version string `json:"version"`
	// Text is the section's body, without its heading.
	Text string `json:"text"`
}

// Unreleased is the heading of what the next tag will hold.
const Unreleased = "Unreleased"

// ParseChangelog splits a changelog into its "## <version>" sections, newest
// first, as the file lists them.
func ParseChangelog(changelog string) []Section {
	var out []Section
	for _, part := range strings.Split("\n"+changelog, "\n## ")[1:] {
		heading, body, _ := strings.Cut(part, "\n")
		out = append(out, Section{Version: strings.TrimSpace(heading), Text: strings.TrimSpace(body)})
	}
	return out
}

// ChangesBetween are the sections a project scaffolded by release from gets
// when release to upgrades it: newer than from, up to to ("Unreleased" too
// when to is not a tag the changelog has, as for a development build). A
// project from before versions were recorded (from "") gets every section;
// one made by a development build gets none (its release is unknown).
func ChangesBetween(changelog, from, to string) []Section {
	sections := ParseChangelog(changelog)
	if from != "" && !semver.IsValid(from) {
		return nil
	}
	start := 0
	for i, s := range sections {
		if s.Version == to {
			start = i
			break
		}
	}
	var out []Section
	for _, s := range sections[start:] {
		if s.Version != Unreleased && from != "" && semver.Compare(s.Version, from) <= 0 {
			break
		}
		out = append(out, s)
	}
	return out
}
