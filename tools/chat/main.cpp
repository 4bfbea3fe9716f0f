// SPDX-License-Identifier: MIT
// parley-chat: a terminal client. Registers (if needed) and logs in, then prints what arrives
// and sends what you type:   bob: hello        bob,carol: hi both        /who   /quit
#include <poll.h>
#include <sodium.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>
#include <string>

#include "client/http_client.hpp"
#include "client/ws_client.hpp"

namespace json = boost::json;
using parley::client::WsClient;

namespace {

void print_frame(const std::string& text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return;
  const auto& o = v.as_object();
  std::string type(o.at("type").as_string());
  if (type == "normal") {
    std::string from(o.at("from").as_string());
    std::string to;
    if (const auto* t = o.if_contains("to"); t && t->is_array() && !t->as_array().empty())
      for (const auto& n : t->as_array())
        to += (to.empty() ? " -> " : ",") + std::string(n.as_string());
    std::cout << from << to << ": " << std::string_view(o.at("content").as_string()) << std::endl;
  } else if (type == "loginlist") {
    std::cout << "* online:";
    for (const auto& n : o.at("content").at("names").as_array())
      std::cout << ' ' << std::string_view(n.as_string());
    std::cout << std::endl;
  } else if (type == "error" || type == "no") {
    std::cout << "! " << std::string_view(o.at("content").as_string()) << std::endl;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"parley-chat: chat with a parley server from a terminal"};
  std::string host = "127.0.0.1", name, password;
  std::uint16_t port = 9288;
  app.add_option("--host", host, "server address (default 127.0.0.1)");
  app.add_option("--port", port, "server port (default 9288)");
  app.add_option("-u,--user", name, "your name (registered on first use)")->required();
  app.add_option("-p,--password", password, "your password")->required();
  CLI11_PARSE(app, argc, argv);
  if (sodium_init() < 0) return 1;
  try {
    json::object cred{{"name", name}, {"password", password}};
    parley::client::http_request(host, port, "POST", "/api/register", json::serialize(cred));
    auto login = json::parse(
        parley::client::http_request(host, port, "POST", "/api/login", json::serialize(cred)).body);
    if (login.at("code").as_string() != "2000") {
      std::cerr << "login failed: " << std::string_view(login.at("msg").as_string()) << "\n";
      return 1;
    }
    WsClient ws = WsClient::connect(host, port);
    ws.send_text(json::serialize(json::object{{"type", "auth"}, {"content", login.at("token")}}));
    std::cout << "logged in as " << name << ". Type  name: text  (or  a,b: text), /quit to leave."
              << std::endl;
    for (;;) {
      pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {ws.socket().fd(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) continue;
      if (fds[1].revents) {
        auto m = ws.read(std::chrono::milliseconds(1000));
        if (m.opcode == parley::protocol::WsOpcode::kText) print_frame(m.payload);
        if (m.opcode == parley::protocol::WsOpcode::kPing)
          ws.send_frame(parley::protocol::WsOpcode::kPong, m.payload);
        if (m.opcode == parley::protocol::WsOpcode::kClose) return 0;
      }
      if (fds[0].revents) {
        std::string line;
        if (!std::getline(std::cin, line) || line == "/quit") break;
        if (line == "/who") {
          std::cout << parley::client::http_request(host, port, "GET", "/api/loginlist").body
                    << std::endl;
          continue;
        }
        auto colon = line.find(':');
        if (colon == std::string::npos) {
          std::cout << "! write  name: text" << std::endl;
          continue;
        }
        json::array to;
        std::string names = line.substr(0, colon);
        for (std::size_t start = 0; start <= names.size();) {
          auto comma = names.find(',', start);
          std::string n = names.substr(start, comma - start);
          while (!n.empty() && n.front() == ' ') n.erase(0, 1);
          while (!n.empty() && n.back() == ' ') n.pop_back();
          if (!n.empty()) to.emplace_back(n);
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
        std::string text = line.substr(colon + 1);
        if (!text.empty() && text.front() == ' ') text.erase(0, 1);
        ws.send_text(
            json::serialize(json::object{{"type", "normal"}, {"content", text}, {"to", to}}));
      }
    }
    ws.close();
  } catch (const std::exception& e) {
    std::cerr << "parley-chat: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
