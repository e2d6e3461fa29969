/*
 * udp_src.c - UDP sockets for the live flow collector (see udp_src.h).
 *
 * SO_RCVBUF is raised as far as the kernel allows (SO_RCVBUFFORCE when
 * privileged), SO_REUSEPORT lets several collectors share a port, and
 * SO_RXQ_OVFL makes the kernel attach its drop counter to each datagram,
 * so datagrams lost before we could read them are counted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "source/udp_src.h"

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif
#define MEMINFO_DROPS 8         /* SK_MEMINFO_DROPS in linux/sock_diag.h */
#ifndef SO_RXQ_OVFL
#define SO_RXQ_OVFL 40
#endif
#ifndef SO_RCVBUFFORCE
#define SO_RCVBUFFORCE 33
#endif

static int parse_spec(const char *spec, struct sockaddr_storage *ss, socklen_t *sl)
{
    char host[64] = "";
    const char *port = spec;
    const char *colon = strrchr(spec, ':');
    if (colon) {
        size_t hl = (size_t)(colon - spec);
        if (spec[0] == '[' && hl >= 2 && spec[hl - 1] == ']') {
            spec++;
            hl -= 2;
        }
        if (hl >= sizeof(host))
            return -1;
        memcpy(host, spec, hl);
        host[hl] = '\0';
        port = colon + 1;
    }
    char *end;
    long p = strtol(port, &end, 10);
    if (!*port || *end || p < 0 || p > 65535)
        return -1;
    memset(ss, 0, sizeof(*ss));
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    if (!host[0] || inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)p);
        *sl = sizeof(*s4);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)p);
        *sl = sizeof(*s6);
        return 0;
    }
    return -1;
}

int asc_udp_open(const char *spec, int rcvbuf, struct asc_err *err)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (parse_spec(spec, &ss, &sl) != 0) {
        asc_err_set(err, ASC_EINVAL, "'%s' is not ADDR:PORT", spec);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        asc_err_set(err, ASC_EIO, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
        asc_err_set(err, ASC_EIO, "bind %s: %s", spec, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

long asc_udp_recv(int fd, uint8_t *buf, size_t cap, struct asc_addr *from, uint32_t *dropped)
{
    struct sockaddr_storage ss;
    union {
        char b[CMSG_SPACE(sizeof(uint32_t))];
        struct cmsghdr align;
    } ctl;
    struct iovec iov = {.iov_base = buf, .iov_len = cap};
    struct msghdr mh = {.msg_name = &ss, .msg_namelen = sizeof(ss), .msg_iov = &iov,
                        .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
    ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
            memcpy(dropped, CMSG_DATA(c), sizeof(*dropped));
    memset(from, 0, sizeof(*from));
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
        from->family = ASC_AF_INET;
        memcpy(from->b, &s4->sin_addr, 4);
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
        if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
            from->family = ASC_AF_INET;
            memcpy(from->b, s6->sin6_addr.s6_addr + 12, 4);
        } else {
            from->family = ASC_AF_INET6;
            memcpy(from->b, &s6->sin6_addr, 16);
        }
    }
    return n == 0 ? 1 : (long)n;   /* an empty datagram still counts as one */
}

bool asc_udp_drops(int fd, uint32_t *dropped)
{
    uint32_t mi[16] = {0};
    socklen_t len = sizeof(mi);
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &len) != 0 ||
        len < (MEMINFO_DROPS + 1) * sizeof(uint32_t))
        return false;
    *dropped = mi[MEMINFO_DROPS];
    return true;
}
