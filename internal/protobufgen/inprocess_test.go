package protobufgen

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// TestGogoTwiceInOneProcess: the second .proto compiled in a process gets
// the same marshalling code as the first (vanity/command.Generate leaves
// only gogo's test plugin registered after its first call).
func TestGogoTwiceInOneProcess(t *testing.T) {
	src := []byte(`syntax = "proto2";
package a.b;
import "github.com/gogo/protobuf/gogoproto/gogo.proto";
option (gogoproto.marshaler_all) = true;
option (gogoproto.unmarshaler_all) = true;
option (gogoproto.sizer_all) = true;
option go_package = "a/b";
message M { optional string x = 1 [(gogoproto.nullable) = false]; }
`)
	var outs [][]byte
	for i := 0; i < 2; i++ {
		code, err := protocGogo("a/b/x.proto", map[string][]byte{"a/b/x.proto": src}, func(string) (io.ReadCloser, error) { return nil, os.ErrNotExist })
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, code)
	}
	for i, code := range outs {
		for _, method := range []string{"func (m *M) Marshal()", "func (m *M) Unmarshal(", "func (m *M) Size()"} {
			if !bytes.Contains(code, []byte(method)) {
				t.Errorf("run %d: no %s", i+1, method)
			}
		}
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Error("the second run's code differs from the first's")
	}
}
