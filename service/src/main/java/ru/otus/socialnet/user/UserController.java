package ru.otus.socialnet.user;

import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /user/register}, {@code /user/get/{id}} and {@code /user/search} of the OTUS spec v1.2.0. */
@RestController
public class UserController {

    private final UserService users;

    public UserController(UserService users) {
        this.users = users;
    }

    // produces: a request whose Accept the answer cannot satisfy is refused (406) before the
    // handler runs, so nothing is stored for an answer the client would not take.
    @PostMapping(path = "/user/register", produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, String> register(@Valid @RequestBody RegistrationRequest request,
                                        @RequestHeader(name = RegistrationKey.HEADER, required = false) String key) {
        return Map.of("user_id", Long.toString(users.register(request, RegistrationKey.fromHeader(key))));
    }

    @GetMapping(path = "/user/get/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public UserProfile get(@PathVariable String id) {
        return users.get(UserId.parse(id, "id"));
    }

    @GetMapping(path = "/user/search", produces = MediaType.APPLICATION_JSON_VALUE)
    public List<UserProfile> search(
            @RequestParam("first_name") @NotBlank @Size(max = 100) @CleanText(UnicodeText.Kind.LINE) String firstName,
            @RequestParam("last_name") @NotBlank @Size(max = 100) @CleanText(UnicodeText.Kind.LINE) String lastName,
            @RequestParam(name = "limit", required = false) Integer limit) {
        // Prefixes in the stored normal form (NFC), so a name typed either way is found.
        return users.search(UnicodeText.normalize(firstName), UnicodeText.normalize(lastName), limit);
    }
}
