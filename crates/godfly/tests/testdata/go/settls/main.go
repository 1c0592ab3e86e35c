// The old Go runtime's settls in miniature: its entry point (set with
// -ldflags=-E=main.settls) asks sysarch(AMD64_SET_FSBASE), which DragonFly
// answers with EOPNOTSUPP, and then crashes on purpose with
// movl $0xf1, 0xf1, exactly as runtime·settls did.
package main

func settls()

func main() { settls() }
