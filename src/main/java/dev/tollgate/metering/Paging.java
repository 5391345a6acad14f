package dev.tollgate.metering;

import dev.tollgate.common.ApiException;

/** A page request from the dashboard, validated: page from 0, size from 1 to 200. */
record Paging(int page, int size) {

    static Paging of(int page, int size) {
        if (page < 0) {
            throw ApiException.invalidParam("page", "page must be 0 or more.");
        }
        if (size < 1 || size > 200) {
            throw ApiException.invalidParam("size", "size must be between 1 and 200.");
        }
        return new Paging(page, size);
    }

}
