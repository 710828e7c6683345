// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title NodeQueue
 * @notice A FIFO queue of addresses as a doubly linked list: push at the back, pop at the front and
 * remove from anywhere, each in O(1), so a free node can leave the pool without a scan.
 *
 * The links of `address(0)` are the sentinel: its `next` is the front and its `prev` the back, which
 * keeps every operation free of empty-list special cases. `address(0)` can therefore never be queued.
 *
 * The library does not track membership: the caller knows whether an address is queued (the
 * registry keeps a status per node) and must only push absent addresses and remove present ones.
 */
library NodeQueue {
    struct Link {
        address prev;
        address next;
    }

    struct Queue {
        mapping(address item => Link) links;
        uint256 length;
    }

    /// @dev Appends `item` (not `address(0)`, not already queued) at the back.
    function pushBack(Queue storage queue, address item) internal {
        address back = queue.links[address(0)].prev;
        queue.links[item] = Link({prev: back, next: address(0)});
        queue.links[back].next = item;
        queue.links[address(0)].prev = item;
        ++queue.length;
    }

    /// @dev Unlinks a queued `item`, wherever it stands.
    function remove(Queue storage queue, address item) internal {
        Link memory link = queue.links[item];
        queue.links[link.prev].next = link.next;
        queue.links[link.next].prev = link.prev;
        delete queue.links[item];
        --queue.length;
    }

    /// @dev Removes and returns the front item. The queue must not be empty.
    function popFront(Queue storage queue) internal returns (address item) {
        item = queue.links[address(0)].next;
        remove(queue, item);
    }

    /// @dev The front item, or `address(0)` when the queue is empty.
    function front(Queue storage queue) internal view returns (address) {
        return queue.links[address(0)].next;
    }

    /// @dev The item after a queued `item`, or `address(0)` when `item` is the back.
    function next(Queue storage queue, address item) internal view returns (address) {
        return queue.links[item].next;
    }
}
