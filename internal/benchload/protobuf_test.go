package benchload

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

// TestProtobufClient runs the client against a server that answers as
// kube-apiserver's protobuf serializer does: created objects echoed, a list
// of three, a watch of frames.
func TestProtobufClient(t *testing.T) {
	var p *Protobuf
	item := func(i int) []byte { return ObjectMetaField(fmt.Sprintf("bee-%d", i)) }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != runtime.ContentTypeProtobuf {
			http.Error(w, "not protobuf", http.StatusNotAcceptable)
			return
		}
		switch {
		case r.Method == http.MethodPost:
			body, _ := io.ReadAll(r.Body)
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(body)
		case r.URL.Query().Get("watch") == "true":
			for i, typ := range []string{"ADDED", "BOOKMARK", "ADDED", "MODIFIED", "ADDED"} {
				obj, _ := (&runtime.Unknown{Raw: item(i)}).Marshal()
				ev := metav1.WatchEvent{Type: typ, Object: runtime.RawExtension{Raw: append([]byte("k8s\x00"), obj...)}}
				frame, _ := ev.Marshal() // the stream serializer is the raw one
				_ = binary.Write(w, binary.BigEndian, uint32(len(frame)))
				_, _ = w.Write(frame)
			}
		default:
			lm := metav1.ListMeta{ResourceVersion: "42"}
			meta, _ := lm.Marshal()
			list := MessageField(nil, 1, meta)
			for i := range 3 {
				list = MessageField(list, 2, item(i))
			}
			_, _ = w.Write(p.envelope(list))
		}
	}))
	defer srv.Close()
	var err error
	p, err = NewProtobuf(&rest.Config{Host: srv.URL}, schema.GroupVersionResource{Group: "insect.example.com", Version: "v1alpha1", Resource: "bees"}, "Bee", "default", item)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := p.Create(ctx, 7); err != nil {
		t.Fatal(err)
	}
	n, rv, err := p.List(ctx, "")
	if err != nil || n != 3 || rv != "42" {
		t.Fatalf("List = %d, %q, %v; want 3, 42", n, rv, err)
	}
	stream, err := p.Watch(ctx, rv)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	if !countAdded(stream, 3) {
		t.Fatal("three ADDED events among others were not counted as three")
	}
	stream, err = p.Watch(ctx, rv)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	if countAdded(stream, 4) {
		t.Fatal("a stream that ended after three ADDED events was counted as four")
	}
	if _, err := unwrap([]byte(`{"kind":"Bee"}`)); err == nil {
		t.Fatal("JSON was taken for protobuf")
	}
}
