package benchload

import (
	"os"
	"strings"
	"testing"
)

func TestRatios(t *testing.T) {
	ours := Figures{Throughput: 2000, P99: 20, List10k: 250, Watch: 800, WatchLag: 30, Replay: 300, RSSLoaded: 180}
	base := Figures{Throughput: 1000, P99: 40, List10k: 500, Watch: 0, WatchLag: 60, Replay: 900, RSSLoaded: 240}
	got := ours.Ratios(base)
	want := "create-throughput 2.00 p99 0.50 list-10k 0.50 watch n/a watch-lag 0.50 watch-replay 0.33 rss 0.75"
	if got != want {
		t.Fatalf("Ratios = %q, want %q", got, want)
	}
	// A figure missing on our side is not a ratio of 0 either.
	if got := (Figures{Throughput: 1}).Ratios(Figures{Throughput: 2, P99: 3}); !strings.HasPrefix(got, "create-throughput 0.50 p99 n/a") {
		t.Fatalf("Ratios with a figure missing on our side = %q", got)
	}
}

func TestMemory(t *testing.T) {
	rss, anon, err := Memory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if rss <= 0 || anon <= 0 || anon > rss {
		t.Fatalf("Memory of this process: rss %.1f MiB, anon %.1f MiB", rss, anon)
	}
	if rss, anon, err := Memory(0); rss != 0 || anon != 0 || err != nil {
		t.Fatalf("Memory(0) = %v, %v, %v", rss, anon, err)
	}
	if _, _, err := Memory(1 << 30); err == nil {
		t.Fatal("Memory of a process that does not exist gave no error")
	}
}

func TestString(t *testing.T) {
	s := Figures{Throughput: 1763, P50: 7.9, P99: 23.3, List1k: 30.9, List10k: 248.2, Watch: 759, RSSIdle: 94.4, AnonIdle: 17.1, RSSLoaded: 184.2, AnonLoaded: 106.5}.String()
	for _, want := range []string{"creates/s   1763", "p99  23.3 ms", "list-10k   248.2 ms", "rss idle  94.4 MiB (anon  17.1)", "loaded  184.2 MiB (anon  106.5)"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() = %q lacks %q", s, want)
		}
	}
}

func TestCountEventsJSON(t *testing.T) {
	stream := `{"type":"ADDED","object":{}}
{"type":"BOOKMARK","object":{}}
{"type":"MODIFIED","object":{}}
{"type":"ADDED","object":{}}
`
	if !countEvents(strings.NewReader(stream), 2, false) {
		t.Fatal("two ADDED events were not counted as two")
	}
	if countEvents(strings.NewReader(stream), 3, false) {
		t.Fatal("a stream that ended after two ADDED events was counted as three")
	}
}
