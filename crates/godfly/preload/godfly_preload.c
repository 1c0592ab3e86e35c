/*
 * godfly's exec shim, preloaded into the host programs a guest starts (sh,
 * python, make, ...). When such a program execs a guest program (one that
 * godfly's brand rule claims: see `guests` below and
 * `os/<system>/brand.rs`), the exec goes to `godfly run --or-native`
 * instead. Every other program, Linux programs above all (static Go ones
 * included), is executed directly by the C library: the shim never sends
 * a non-guest program back to godfly. `--or-native` only covers a file
 * that changed between this check and godfly's own.
 *
 * GODFLY_EXE names the godfly binary; godfly sets it with LD_PRELOAD. The
 * shim takes itself out of the LD_PRELOAD it hands to godfly, so godfly's
 * own process never carries it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

/*
 * The guest systems godfly runs: the owner of the system's ELF ABI note,
 * its EI_OSABI value (0: Go leaves it unset), and its GOOS, as the brand
 * rules in `os/<system>/brand.rs` read them (a unit test there checks that
 * every personality is listed).
 */
static const struct {
	const char *note;
	unsigned char osabi;
	const char *goos;
} guests[] = {
	{"DragonFly", 0, "dragonfly"},
	{"FreeBSD", 9, "freebsd"},
};
#define NGUESTS (sizeof guests / sizeof guests[0])

/* A read-only view of a file; `size` 0 when it could not be mapped. */
struct image {
	const unsigned char *p;
	size_t size;
};

/* Whether [off, off+len) lies inside the image. */
static int in_image(const struct image *im, uint64_t off, uint64_t len)
{
	return off <= im->size && len <= im->size - off;
}

/* Index into guests[] of a note owner, or -1. */
static int note_guest(const char *name, size_t len)
{
	for (size_t g = 0; g < NGUESTS; g++)
		if (strlen(guests[g].note) == len && memcmp(name, guests[g].note, len) == 0)
			return (int)g;
	return -1;
}

/* Note verdict: 1 a guest's note, -1 a Linux (GNU ABI) note, 0 neither. */
static int notes_verdict(const struct image *im, const Elf64_Ehdr *eh)
{
	int verdict = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(im->p + eh->e_phoff + (uint64_t)i * sizeof *ph);
		if (ph->p_type != PT_NOTE || !in_image(im, ph->p_offset, ph->p_filesz))
			continue;
		const unsigned char *n = im->p + ph->p_offset;
		uint64_t left = ph->p_filesz;
		while (left >= sizeof(Elf64_Nhdr)) {
			const Elf64_Nhdr *nh = (const Elf64_Nhdr *)n;
			uint64_t name = ((uint64_t)nh->n_namesz + 3) & ~3ull;
			uint64_t desc = ((uint64_t)nh->n_descsz + 3) & ~3ull;
			if (name + desc > left - sizeof *nh)
				break;
			const char *owner = (const char *)n + sizeof *nh;
			size_t len = nh->n_namesz;
			if (len > 0 && owner[len - 1] == '\0')
				len--;
			if (note_guest(owner, len) >= 0)
				return 1;
			if (len == 3 && memcmp(owner, "GNU", 3) == 0 && nh->n_type == NT_GNU_ABI_TAG)
				verdict = -1;
			n += sizeof *nh + name + desc;
			left -= sizeof *nh + name + desc;
		}
	}
	return verdict;
}

/* Whether `s` (length `len`, at `at` in it) is `word` followed by a
 * character that cannot continue a GOOS name. */
static int word_at(const unsigned char *s, size_t len, size_t at, const char *word)
{
	size_t w = strlen(word);
	if (at + w > len || memcmp(s + at, word, w) != 0)
		return 0;
	if (at + w == len)
		return 1;
	unsigned char c = s[at + w];
	return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
}

/*
 * Whether a Go program was built for a guest system: the entry symbol
 * `_rt0_amd64_<goos>` in its symbol table, or `GOOS=<goos>` in its
 * `.go.buildinfo`. Returns 1 yes, -1 a Go program for another system,
 * 0 nothing known.
 */
static int go_verdict(const struct image *im, const Elf64_Ehdr *eh)
{
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shnum == 0 || eh->e_shstrndx >= eh->e_shnum ||
	    !in_image(im, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)))
		return 0;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(im->p + eh->e_shoff);
	const Elf64_Shdr *names = &sh[eh->e_shstrndx];
	if (!in_image(im, names->sh_offset, names->sh_size))
		return 0;
	int verdict = 0;
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *s = &sh[i];
		if (s->sh_type == SHT_NOBITS || !in_image(im, s->sh_offset, s->sh_size))
			continue;
		const unsigned char *d = im->p + s->sh_offset;
		if (s->sh_type == SHT_SYMTAB && s->sh_entsize == sizeof(Elf64_Sym) && s->sh_link < eh->e_shnum) {
			const Elf64_Shdr *str = &sh[s->sh_link];
			if (!in_image(im, str->sh_offset, str->sh_size))
				continue;
			const unsigned char *strs = im->p + str->sh_offset;
			for (uint64_t k = 0; k < s->sh_size / sizeof(Elf64_Sym); k++) {
				const Elf64_Sym *sym = (const Elf64_Sym *)(d + k * sizeof(Elf64_Sym));
				static const char rt0[] = "_rt0_amd64_";
				if (sym->st_name >= str->sh_size || str->sh_size - sym->st_name < sizeof rt0)
					continue;
				const unsigned char *nm = strs + sym->st_name;
				if (memcmp(nm, rt0, sizeof rt0 - 1) != 0)
					continue;
				size_t len = strnlen((const char *)nm, str->sh_size - sym->st_name);
				for (size_t g = 0; g < NGUESTS; g++)
					if (len == sizeof rt0 - 1 + strlen(guests[g].goos) &&
					    word_at(nm, len, sizeof rt0 - 1, guests[g].goos))
						return 1;
				if (!memchr(nm + sizeof rt0 - 1, '_', len - (sizeof rt0 - 1)))
					verdict = -1; /* _rt0_amd64_linux and the like */
			}
		}
		if (s->sh_name < names->sh_size && names->sh_size - s->sh_name > 13 &&
		    memcmp(im->p + names->sh_offset + s->sh_name, ".go.buildinfo", 14) == 0) {
			for (uint64_t k = 0; k + 5 <= s->sh_size; k++) {
				if (memcmp(d + k, "GOOS=", 5) != 0)
					continue;
				for (size_t g = 0; g < NGUESTS; g++)
					if (word_at(d, s->sh_size, k + 5, guests[g].goos))
						return 1;
				verdict = -1;
				break;
			}
		}
	}
	return verdict;
}

/* Whether godfly's brand rule claims the file at `path` as a guest program. */
static int is_guest(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	struct image im = {NULL, 0};
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= (off_t)sizeof(Elf64_Ehdr)) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			im.p = p;
			im.size = (size_t)st.st_size;
		}
	}
	close(fd);
	if (!im.size)
		return 0;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)im.p;
	int ok = 0;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
	    eh->e_ident[EI_DATA] == ELFDATA2LSB && eh->e_machine == EM_X86_64 &&
	    eh->e_phentsize == sizeof(Elf64_Phdr) &&
	    in_image(&im, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr))) {
		int notes = notes_verdict(&im, eh);
		unsigned char osabi = eh->e_ident[EI_OSABI];
		if (notes > 0) {
			ok = 1;
		} else if (notes < 0 || osabi == ELFOSABI_LINUX) {
			ok = 0;
		} else if (osabi != ELFOSABI_NONE) {
			for (size_t g = 0; g < NGUESTS; g++)
				if (guests[g].osabi == osabi)
					ok = 1;
		} else {
			ok = go_verdict(&im, eh) > 0;
		}
	}
	munmap((void *)im.p, im.size);
	return ok;
}

/* argv for `godfly run --or-native --argv0 A -- PATH ARGS...`. */
static char **godfly_argv(const char *godfly, const char *path, char *const argv[])
{
	size_t n = 0;
	while (argv && argv[n])
		n++;
	char **out = calloc(n + 8, sizeof *out);
	if (!out)
		return NULL;
	size_t i = 0;
	out[i++] = (char *)godfly;
	out[i++] = "run";
	out[i++] = "--or-native";
	out[i++] = "--argv0";
	out[i++] = (char *)(n ? argv[0] : path);
	out[i++] = "--";
	out[i++] = (char *)path;
	for (size_t k = 1; k < n; k++)
		out[i++] = argv[k];
	out[i] = NULL;
	return out;
}

/* Whether an LD_PRELOAD entry is this shim (`godfly-preload-*.so`). */
static int is_shim(const char *entry, size_t len)
{
	static const char name[] = "godfly-preload-";
	const char *base = entry;
	for (size_t i = 0; i < len; i++)
		if (entry[i] == '/')
			base = entry + i + 1;
	size_t left = len - (size_t)(base - entry);
	return left >= sizeof name - 1 && memcmp(base, name, sizeof name - 1) == 0;
}

/* "LD_PRELOAD=..." without this shim; NULL when nothing is left (or on
 * allocation failure, which only loses the user's other preloads for
 * godfly itself: godfly gives them back to the guest from its own list). */
static char *preload_without_shim(const char *var)
{
	const char *v = var + strlen("LD_PRELOAD=");
	char *out = malloc(strlen(var) + 1);
	if (!out)
		return NULL;
	strcpy(out, "LD_PRELOAD=");
	size_t o = strlen(out), kept = 0;
	while (*v) {
		size_t n = strcspn(v, ": ");
		if (n && !is_shim(v, n)) {
			if (kept++)
				out[o++] = ':';
			memcpy(out + o, v, n);
			o += n;
		}
		v += n;
		if (*v)
			v++;
	}
	out[o] = '\0';
	if (!kept) {
		free(out);
		return NULL;
	}
	return out;
}

/* envp for godfly: GODFLY_CLI=1, so the godfly binary parses its own
 * command line, and LD_PRELOAD without this shim. */
static char **godfly_envp(char *const envp[])
{
	size_t n = 0;
	while (envp && envp[n])
		n++;
	char **out = calloc(n + 2, sizeof *out);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t k = 0; k < n; k++) {
		if (strncmp(envp[k], "LD_PRELOAD=", 11) == 0) {
			char *kept = preload_without_shim(envp[k]);
			if (kept)
				out[o++] = kept;
		} else {
			out[o++] = envp[k];
		}
	}
	out[o++] = "GODFLY_CLI=1";
	out[o] = NULL;
	return out;
}

typedef int (*execve_fn)(const char *, char *const[], char *const[]);
typedef int (*spawn_fn)(pid_t *, const char *, const posix_spawn_file_actions_t *, const posix_spawnattr_t *,
			char *const[], char *const[]);

static int real_execve(const char *path, char *const argv[], char *const envp[])
{
	execve_fn f = (execve_fn)dlsym(RTLD_NEXT, "execve");
	if (!f) {
		errno = ENOSYS;
		return -1;
	}
	return f(path, argv, envp);
}

/* Resolves `file` along PATH the way execvp does; NULL if not found. */
static const char *search_path(const char *file, char *buf, size_t len)
{
	if (strchr(file, '/'))
		return file;
	const char *path = getenv("PATH");
	if (!path)
		path = "/bin:/usr/bin";
	while (*path) {
		const char *end = strchr(path, ':');
		size_t dl = end ? (size_t)(end - path) : strlen(path);
		if (dl + strlen(file) + 2 <= len) {
			memcpy(buf, dl ? path : ".", dl ? dl : 1);
			size_t off = dl ? dl : 1;
			buf[off] = '/';
			strcpy(buf + off + 1, file);
			if (access(buf, X_OK) == 0)
				return buf;
		}
		if (!end)
			break;
		path = end + 1;
	}
	return NULL;
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	const char *godfly = getenv("GODFLY_EXE");
	if (godfly && is_guest(path)) {
		char **a = godfly_argv(godfly, path, argv);
		char **e = godfly_envp(envp);
		if (a && e)
			return real_execve(godfly, a, e);
	}
	return real_execve(path, argv, envp);
}

int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
	char buf[PATH_MAX];
	const char *found = getenv("GODFLY_EXE") ? search_path(file, buf, sizeof buf) : NULL;
	if (found && is_guest(found))
		return execve(found, argv, envp);
	typedef int (*fn)(const char *, char *const[], char *const[]);
	fn f = (fn)dlsym(RTLD_NEXT, "execvpe");
	if (!f) {
		errno = ENOSYS;
		return -1;
	}
	return f(file, argv, envp);
}

int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

/* The execl family collects its variable arguments into an argv. */
#define COLLECT_ARGS(first, ap, argv)                          \
	size_t n_ = 1;                                         \
	va_start(ap, first);                                   \
	while (va_arg(ap, char *))                             \
		n_++;                                          \
	va_end(ap);                                            \
	char **argv = calloc(n_ + 1, sizeof(char *));          \
	if (!argv) {                                           \
		errno = ENOMEM;                                \
		return -1;                                     \
	}                                                      \
	argv[0] = (char *)first;                               \
	va_start(ap, first);                                   \
	for (size_t k_ = 1; k_ <= n_; k_++)                    \
		argv[k_] = va_arg(ap, char *);

int execl(const char *path, const char *arg, ...)
{
	va_list ap;
	COLLECT_ARGS(arg, ap, argv)
	va_end(ap);
	return execve(path, argv, environ);
}

int execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	COLLECT_ARGS(arg, ap, argv)
	va_end(ap);
	return execvpe(file, argv, environ);
}

int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	COLLECT_ARGS(arg, ap, argv)
	char *const *envp = va_arg(ap, char *const *);
	va_end(ap);
	return execve(path, argv, envp);
}

static int spawn(const char *sym, pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
		 const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	spawn_fn f = (spawn_fn)dlsym(RTLD_NEXT, sym);
	if (!f)
		return ENOSYS;
	const char *godfly = getenv("GODFLY_EXE");
	char buf[PATH_MAX];
	const char *found = godfly ? search_path(path, buf, sizeof buf) : NULL;
	if (found && is_guest(found)) {
		char **a = godfly_argv(godfly, found, argv);
		char **e = godfly_envp(envp);
		spawn_fn direct = (spawn_fn)dlsym(RTLD_NEXT, "posix_spawn");
		if (a && e && direct)
			return direct(pid, godfly, fa, attr, a, e);
	}
	return f(pid, path, fa, attr, argv, envp);
}

int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
		char *const argv[], char *const envp[])
{
	return spawn("posix_spawn", pid, path, fa, attr, argv, envp);
}

int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
		 char *const argv[], char *const envp[])
{
	return spawn("posix_spawnp", pid, file, fa, attr, argv, envp);
}
