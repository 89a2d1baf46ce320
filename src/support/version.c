/*
 * version.c - the library's version and the text of its error codes.
 *
 * SPDX-License-Identifier: BSD-2-Clause
 */
#include "mirrordec/common.h"

const char *mdec_version(void)
{
    return MDEC_VERSION_STRING;
}

unsigned mdec_version_number(void)
{
    return MDEC_VERSION_NUMBER;
}

const char *mdec_strerror(int err)
{
    switch (err) {
    case MDEC_E_OK:
        return "success";
    case MDEC_E_INVALID:
        return "invalid argument";
    case MDEC_E_NOSPACE:
        return "no space left in the caller's memory or a fixed-size array";
    case MDEC_E_EXISTS:
        return "already exists";
    case MDEC_E_NOTFOUND:
        return "not found";
    case MDEC_E_SYNTAX:
        return "syntax error";
    default:
        return "unknown error";
    }
}
