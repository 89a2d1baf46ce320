/*
 * mirrordec.h - decapsulate mirrored network traffic, with no allocation.
 *
 *   decode.h   one frame -> tunnel stack, layers, inner flow, truncation
 *   session.h  packet -> mirror session, forged-source check, direction
 *   filter.h   AWS Traffic Mirror filter rules (text, AWS JSON, C)
 *   health.h   capture loss and visibility per session (a flow tracker)
 *   flowid.h   Community ID and a keyed symmetric flow hash of the inner flow
 *   dedup.h    de-duplication window: the second copy of a mirrored packet
 *   common.h   version, errors, addresses
 *
 * Every public name starts with mdec_ or MDEC_.  The library never
 * allocates and keeps no mutable static state: callers hand in all memory.
 * See the README and the comments in each header.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#ifndef MIRRORDEC_H
#define MIRRORDEC_H

#include "mirrordec/common.h"
#include "mirrordec/decode.h"
#include "mirrordec/filter.h"
#include "mirrordec/health.h"
#include "mirrordec/session.h"
#include "mirrordec/flowid.h"
#include "mirrordec/dedup.h"

#endif /* MIRRORDEC_H */
