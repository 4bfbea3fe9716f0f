// SPDX-License-Identifier: MIT
// Every stable code parley puts on the wire, in one place (documented in docs/PROTOCOL.md).
#pragma once
#include <cstdint>
#include <string_view>

namespace parley::protocol {

// Classic HTTP answer codes: JSON strings, not numbers.
namespace code {
inline constexpr std::string_view kOk = "2000";
inline constexpr std::string_view kNameTaken = "4000";
inline constexpr std::string_view kBadFormat = "4001";
inline constexpr std::string_view kNoSuchUser = "4003";
inline constexpr std::string_view kNotFound = "4004";
inline constexpr std::string_view kWrongPassword = "4005";
inline constexpr std::string_view kUnauthorized = "4010";
inline constexpr std::string_view kTooLarge = "4013";
inline constexpr std::string_view kTooManyAttempts = "4029";
inline constexpr std::string_view kForbidden = "4030";  // groups: not a member / role; not an admin
inline constexpr std::string_view kRegistrationClosed = "4031";  // registration: closed
inline constexpr std::string_view kInviteInvalid = "4032";       // invite missing, used up, expired
inline constexpr std::string_view kBanned = "4033";              // login of a banned account
inline constexpr std::string_view kOverQuota = "4034";           // files: the user's quota is full
inline constexpr std::string_view kNotAnImage = "4015";          // files: claims an image, is not
inline constexpr std::string_view kNoSuchGroup = "4040";
inline constexpr std::string_view kInternal = "5000";
inline constexpr std::string_view kUnavailable = "5003";
}  // namespace code

// Codes of `error` frames (extension).
namespace frame_error {
inline constexpr std::string_view kBadJson = "bad_json";
inline constexpr std::string_view kBadFrame = "bad_frame";
inline constexpr std::string_view kUnknownType = "unknown_type";
inline constexpr std::string_view kNotAuthenticated = "not_authenticated";
inline constexpr std::string_view kAlreadyAuthenticated = "already_authenticated";
inline constexpr std::string_view kNoRecipients = "no_recipients";
inline constexpr std::string_view kTooManyRecipients = "too_many_recipients";
inline constexpr std::string_view kTooLarge = "too_large";
inline constexpr std::string_view kRateLimited = "rate_limited";
inline constexpr std::string_view kBinaryUnsupported = "binary_unsupported";
inline constexpr std::string_view kStoreUnavailable = "store_unavailable";
inline constexpr std::string_view kNotAMember = "not_a_member";
inline constexpr std::string_view kNotFound = "not_found";      // no such message (for you)
inline constexpr std::string_view kNotYours = "not_yours";      // recall/edit of another's
inline constexpr std::string_view kTooLate = "too_late";        // past the recall/edit window
inline constexpr std::string_view kRecalled = "recalled";       // the message was recalled
inline constexpr std::string_view kFeatureOff = "feature_off";  // the window is 0
inline constexpr std::string_view kBadReply = "bad_reply";      // reply_to not in the conversation
inline constexpr std::string_view kBadFile = "bad_file";  // a file id the sender did not upload
}  // namespace frame_error

// WebSocket close codes. 1xxx are RFC 6455; 4xxx are parley's ("terminal" ones ask the client to
// log in again, the others to reconnect and resume).
namespace close_code {
inline constexpr std::uint16_t kNormal = 1000;
inline constexpr std::uint16_t kGoingAway = 1001;  // shutdown: reconnect
inline constexpr std::uint16_t kProtocolError = 1002;
inline constexpr std::uint16_t kInvalidPayload = 1007;  // invalid UTF-8
inline constexpr std::uint16_t kPolicy = 1008;          // slow consumer, origin
inline constexpr std::uint16_t kTooBig = 1009;
inline constexpr std::uint16_t kInternalError = 1011;  // store failed: reconnect later
inline constexpr std::uint16_t kTokenRefused = 4401;   // terminal: log in again
inline constexpr std::uint16_t kTimeout = 4408;        // no auth in time, or idle
}  // namespace close_code

}  // namespace parley::protocol
