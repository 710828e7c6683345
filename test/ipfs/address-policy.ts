import { refusedAddress } from "@disp/ipfs";
import { expect } from "chai";

const PEER = "12D3KooWHSFY92mj6h9x4TpGQZyBmuVq3vveixuaCuqDdBhVH1fU";
const OTHER = "12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo";

describe("the address policy for published multiaddrs", function () {
  describe("by default (a public network)", function () {
    for (const address of [
      "/ip4/203.0.113.7/tcp/4001",
      `/ip4/203.0.113.7/tcp/4001/p2p/${PEER}`,
      "/ip6/2001:db8::7/tcp/4001",
      "/ip4/203.0.113.7/udp/4001/quic-v1",
      "/dns4/node.example.org/tcp/443/wss",
      "/dns/node.example.org/tcp/4002/ws",
      "/dns6/node.example.org/tcp/80/ws",
    ]) {
      it(`accepts ${address}`, function () {
        expect(refusedAddress(address, {}, PEER)).to.equal(undefined);
      });
    }

    for (const [address, why] of [
      ["/ip4/127.0.0.1/tcp/4001", "loopback or private"],
      ["/ip4/10.1.2.3/tcp/4001", "loopback or private"],
      ["/ip4/172.20.0.1/tcp/4001", "loopback or private"],
      ["/ip4/192.168.1.10/tcp/4001", "loopback or private"],
      ["/ip4/100.64.0.1/tcp/4001", "loopback or private"],
      ["/ip6/::1/tcp/4001", "loopback or private"],
      ["/ip6/fd00::1/tcp/4001", "loopback or private"],
      ["/ip6/::ffff:127.0.0.1/tcp/4001", "loopback or private"],
      ["/dns4/localhost/tcp/4001", "loopback or private"],
      ["/ip4/169.254.169.254/tcp/4001", "not a unicast address"],
      ["/ip4/0.0.0.0/tcp/4001", "not a unicast address"],
      ["/ip4/224.0.0.1/tcp/4001", "not a unicast address"],
      ["/ip4/255.255.255.255/tcp/4001", "not a unicast address"],
      ["/ip6/fe80::1/tcp/4001", "not a unicast address"],
      ["/ip6/::/tcp/4001", "not a unicast address"],
      ["/ip4/203.0.113.7/tcp/22", "system service"],
      ["/ip4/203.0.113.7/tcp/25", "system service"],
      ["/ip4/203.0.113.7/tcp/0", "not usable"],
      ["/ip4/203.0.113.7/udp/4001", "not direct TCP"],
      ["/ip4/203.0.113.7/udp/4001/quic", "not direct TCP"],
      ["/ip4/203.0.113.7/udp/4001/webrtc-direct", "not direct TCP"],
      [`/ip4/203.0.113.7/tcp/4001/p2p/${OTHER}/p2p-circuit`, "not direct TCP"],
      ["/dnsaddr/bootstrap.example.org", "not an IP address or DNS name"],
      ["/unix/%2Ftmp%2Fipfs.sock", "not an IP address or DNS name"],
      [`/ip4/203.0.113.7/tcp/4001/p2p/${OTHER}`, "another peer"],
      ["/ip4/203.0.113.7/tcp/4001/garbage", "not a multiaddr"],
      [`/dns4/${"a".repeat(250)}.example/tcp/4001`, "longer than 256"],
    ] as const) {
      it(`refuses ${address.slice(0, 60)} (${why})`, function () {
        expect(refusedAddress(address, {}, PEER)).to.contain(why);
      });
    }
  });

  describe("with allowPrivate (a local network)", function () {
    it("accepts loopback, private, CGNAT and ULA hosts", function () {
      for (const address of [
        "/ip4/127.0.0.1/tcp/4001",
        "/ip4/10.1.2.3/tcp/4001",
        "/ip4/192.168.1.10/udp/4001/quic-v1",
        "/ip6/::1/tcp/4001",
        "/ip6/fd00::1/tcp/4001",
        "/dns4/localhost/tcp/4001",
      ]) {
        expect(refusedAddress(address, { allowPrivate: true }), address).to.equal(undefined);
      }
    });

    it("still refuses link-local hosts, system ports and relays", function () {
      expect(refusedAddress("/ip4/169.254.169.254/tcp/4001", { allowPrivate: true })).to.contain("unicast");
      expect(refusedAddress("/ip4/127.0.0.1/tcp/22", { allowPrivate: true })).to.contain("system service");
      expect(
        refusedAddress(`/ip4/127.0.0.1/tcp/4001/p2p/${OTHER}/p2p-circuit`, { allowPrivate: true }),
      ).to.contain("not direct TCP");
    });
  });
});
