// Command netprobe runs inside a pod of the e2e node and reports, one line a
// probe, what the pod's network does: a TCP connection to each address given
// with -connect, and a DNS query for each name given with -resolve, sent to
// the nameserver the kubelet put in /etc/resolv.conf. The node test reads its
// log to prove the containment: nothing it sends may leave the machine.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

func main() {
	connect := flag.String("connect", "", "comma-separated host:port to dial")
	resolve := flag.String("resolve", "", "comma-separated names to query (A records)")
	flag.Parse()
	for _, addr := range split(*connect) {
		start := time.Now()
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err == nil {
			conn.Close()
			fmt.Printf("connect %s: ok in %dms\n", addr, time.Since(start).Milliseconds())
			continue
		}
		fmt.Printf("connect %s: %v in %dms\n", addr, err, time.Since(start).Milliseconds())
	}
	server, err := nameserver()
	if err != nil {
		fmt.Printf("resolv.conf: %v\n", err)
		os.Exit(1)
	}
	for i, name := range split(*resolve) {
		rcode, answers, err := query(server, name, uint16(i+1))
		if err != nil {
			fmt.Printf("resolve %s: error %v\n", name, err)
			continue
		}
		fmt.Printf("resolve %s: server %s rcode %s answers [%s]\n", name, server, rcode, strings.Join(answers, " "))
	}
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// nameserver is the first nameserver of /etc/resolv.conf.
func nameserver() (string, error) {
	data, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "nameserver" {
			return f[1], nil
		}
	}
	return "", fmt.Errorf("no nameserver in:\n%s", data)
}

func query(server, name string, id uint16) (dnsmessage.RCode, []string, error) {
	q, err := dnsmessage.NewName(strings.TrimSuffix(name, ".") + ".")
	if err != nil {
		return 0, nil, err
	}
	msg := dnsmessage.Message{Header: dnsmessage.Header{ID: id, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: q, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}}}
	packed, err := msg.Pack()
	if err != nil {
		return 0, nil, err
	}
	conn, err := net.DialTimeout("udp", net.JoinHostPort(server, "53"), 3*time.Second)
	if err != nil {
		return 0, nil, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write(packed); err != nil {
		return 0, nil, err
	}
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		return 0, nil, err
	}
	var reply dnsmessage.Message
	if err := reply.Unpack(buf[:n]); err != nil {
		return 0, nil, err
	}
	var answers []string
	for _, a := range reply.Answers {
		if r, ok := a.Body.(*dnsmessage.AResource); ok {
			answers = append(answers, net.IP(r.A[:]).String())
		}
	}
	return reply.Header.RCode, answers, nil
}
