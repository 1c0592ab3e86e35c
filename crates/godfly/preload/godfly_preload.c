/*
 * godfly's exec shim, preloaded into the host programs a DragonFly guest
 * starts (sh, nohup, env, ...). When such a program execs a file that may
 * be a DragonFly program (a static x86-64 ET_EXEC ELF without a GNU ABI
 * note or interpreter), the exec goes to `godfly run --or-native`, which
 * runs it under godfly if it is a DragonFly program and natively
 * otherwise. Everything else passes straight to the C library.
 *
 * GODFLY_EXE names the godfly binary; godfly sets it with LD_PRELOAD.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* Whether `path` might be a DragonFly program (godfly decides for sure). */
static int maybe_dragonfly(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	Elf64_Ehdr eh;
	int ok = pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh &&
		 memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
		 eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_machine == EM_X86_64 &&
		 eh.e_type == ET_EXEC && eh.e_ident[EI_OSABI] == ELFOSABI_NONE &&
		 eh.e_phentsize == sizeof(Elf64_Phdr) && eh.e_phnum < 64;
	for (int i = 0; ok && i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof ph, eh.e_phoff + (off_t)i * sizeof ph) != (ssize_t)sizeof ph) {
			ok = 0;
		} else if (ph.p_type == PT_INTERP) {
			ok = 0;
		} else if (ph.p_type == PT_NOTE && ph.p_filesz < 4096) {
			char buf[4096];
			ssize_t n = pread(fd, buf, ph.p_filesz, ph.p_offset);
			for (ssize_t p = 0; n > 0 && p + 12 <= n;) {
				Elf64_Nhdr *nh = (Elf64_Nhdr *)(buf + p);
				const char *name = buf + p + 12;
				if (nh->n_namesz == 4 && p + 16 <= n && memcmp(name, "GNU", 4) == 0 &&
				    nh->n_type == NT_GNU_ABI_TAG)
					ok = 0; /* a Linux program */
				p += 12 + ((nh->n_namesz + 3) & ~3u) + ((nh->n_descsz + 3) & ~3u);
			}
		}
	}
	close(fd);
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

/* envp plus GODFLY_CLI=1, so the godfly binary parses its own command line. */
static char **godfly_envp(char *const envp[])
{
	size_t n = 0;
	while (envp && envp[n])
		n++;
	char **out = calloc(n + 2, sizeof *out);
	if (!out)
		return NULL;
	for (size_t k = 0; k < n; k++)
		out[k] = envp[k];
	out[n] = "GODFLY_CLI=1";
	out[n + 1] = NULL;
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
	if (godfly && path && maybe_dragonfly(path)) {
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
	if (found && maybe_dragonfly(found))
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
	if (found && maybe_dragonfly(found)) {
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

/*
 * godfly blocks its carrier signal (39) across execve, so that one sent to
 * the execing thread at the last moment cannot kill the new image. Here, in
 * a host program, drop any such pending instance and unblock it again, so
 * the program starts with the mask the guest gave it.
 */
__attribute__((constructor)) static void drop_carrier(void)
{
	sigset_t cur;
	if (sigprocmask(SIG_BLOCK, NULL, &cur) != 0 || !sigismember(&cur, 39))
		return;
	signal(39, SIG_IGN);
	sigset_t one;
	sigemptyset(&one);
	sigaddset(&one, 39);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	signal(39, SIG_DFL);
}
