/*
 * tapdev.h - TAP devices (Linux); see tapdev.c.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MT_TAPDEV_H
#define MT_TAPDEV_H

#include <stddef.h>
#include <stdint.h>

/* Creates (or attaches to) TAP device name, brings it up; returns its file
 * descriptor, or -1 with a message in err. */
int mt_tap_open(const char *name, char *err, size_t size);

/* Writes one frame: Ethernet as is (at least 14 bytes), bare IP behind a
 * made-up Ethernet header of this ethertype.  0, or -1 with errno. */
int mt_tap_write(int fd, const uint8_t *data, uint32_t len, int ethernet, uint16_t ethertype);

void mt_tap_close(int fd);

#endif /* MT_TAPDEV_H */
