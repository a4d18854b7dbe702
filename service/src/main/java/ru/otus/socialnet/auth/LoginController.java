package ru.otus.socialnet.auth;

import java.util.Map;

import jakarta.validation.Valid;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /login} of the OTUS spec v1.2.0. */
@RestController
public class LoginController {

    private final AuthService auth;

    public LoginController(AuthService auth) {
        this.auth = auth;
    }

    // produces: refused with 406 before a token is stored when the client would not take the answer.
    @PostMapping(path = "/login", produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, String> login(@Valid @RequestBody LoginRequest request) {
        return Map.of("token", auth.login(request));
    }
}
